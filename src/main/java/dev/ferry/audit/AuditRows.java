package dev.ferry.audit;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * How events become rows of {@code audit_event}: structured values as JSON text (which H2 and
 * PostgreSQL read alike), text cut to its column's size, NUL (which PostgreSQL text cannot hold)
 * replaced.
 */
final class AuditRows {

    private static final String INSERT_EXCHANGE =
            "insert into audit_event (id, occurred_at, kind, outcome, error, error_description, detail,"
                    + " issuer, subject, claims, target, requested_scopes, granted_scopes, matched_rules, decision, token_id,"
                    + " token_expires_at, client_address, dpop_jkt)"
                    + " values (?, ?, 'exchange', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String INSERT_RULE =
            "insert into audit_rule (rule, occurred_at, event_id, outcome) values (?, ?, ?, ?)";

    private static final String INSERT_ADMIN =
            "insert into audit_event (id, occurred_at, kind, outcome, principal, action, entity_type, entity_name,"
                    + " before_state, after_state) values (?, ?, 'admin', 'applied', ?, ?, ?, ?, ?, ?)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param timeout how long one write of a batch may take at most (its statements' timeout), so a
     *     request waiting for its event learns the outcome of a write in bounded time
     */
    AuditRows(JdbcTemplate jdbc, PlatformTransactionManager transactions, Duration timeout) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions);
        this.transactions.setTimeout((int) Math.max(1, timeout.toSeconds()));
    }

    /** A transaction of the same bounded length as a batch's, for the usage rollup's writes. */
    TransactionTemplate transactions() {
        return transactions;
    }

    /** Inserts exchange events in one statement batch and one transaction: one commit for all of them. */
    void insert(List<ExchangeEvent> batch) {
        transactions.executeWithoutResult(status -> insertRows(batch));
    }

    private void insertRows(List<ExchangeEvent> batch) {
        List<Object[]> rules = new ArrayList<>();
        for (ExchangeEvent e : batch) {
            if (e.matchedRules() != null) {
                for (String rule : new LinkedHashSet<>(e.matchedRules())) {
                    rules.add(new Object[] {
                        rule,
                        Timestamp.from(e.occurredAt()),
                        e.exchangeId(),
                        e.outcome().column()
                    });
                }
            }
        }
        if (!rules.isEmpty()) {
            jdbc.batchUpdate(INSERT_RULE, rules);
        }
        jdbc.batchUpdate(INSERT_EXCHANGE, batch, batch.size(), (ps, e) -> {
            ps.setString(1, e.exchangeId());
            ps.setTimestamp(2, Timestamp.from(e.occurredAt()));
            ps.setString(3, e.outcome().column());
            ps.setString(4, e.error());
            ps.setString(5, truncate(e.errorDescription(), 1024));
            ps.setString(6, truncate(e.detail(), Integer.MAX_VALUE));
            ps.setString(7, e.issuer());
            ps.setString(8, truncate(e.subject(), 1024));
            ps.setString(9, toJson(e.claims()));
            ps.setString(10, truncate(e.target(), 2048));
            ps.setString(11, toJson(e.requestedScopes()));
            ps.setString(12, toJson(e.grantedScopes()));
            ps.setString(13, toJson(e.matchedRules()));
            ps.setString(14, toJson(e.decision()));
            ps.setString(15, e.tokenId());
            ps.setTimestamp(16, e.tokenExpiresAt() == null ? null : Timestamp.from(e.tokenExpiresAt()));
            ps.setString(17, truncate(e.clientAddress(), 64));
            ps.setString(18, e.dpopJkt());
        });
    }

    /**
     * Inserts admin events in the caller's transaction, in statement batches: each change and its
     * record commit or roll back together.
     */
    void insertAdmin(Collection<AdminEvent> events) {
        List<Object[]> rules = new ArrayList<>();
        for (AdminEvent event : events) {
            if ("rule".equals(event.entityType()) && event.entityName() != null) {
                rules.add(new Object[] {event.entityName(), Timestamp.from(event.occurredAt()), event.id(), "applied"});
            }
        }
        if (!rules.isEmpty()) {
            jdbc.batchUpdate(INSERT_RULE, rules);
        }
        jdbc.batchUpdate(INSERT_ADMIN, events, events.size(), (ps, event) -> {
            ps.setString(1, event.id());
            ps.setTimestamp(2, Timestamp.from(event.occurredAt()));
            ps.setString(3, truncate(event.principal(), 1024));
            ps.setString(4, event.action());
            ps.setString(5, event.entityType());
            ps.setString(6, event.entityName());
            ps.setString(7, toJson(event.before()));
            ps.setString(8, toJson(event.after()));
        });
    }

    private String toJson(Object value) {
        return value == null ? null : truncate(json.writeValueAsString(value), Integer.MAX_VALUE);
    }

    private static String truncate(String value, int max) {
        if (value == null) {
            return null;
        }
        String clean = value.indexOf('\u0000') >= 0 ? value.replace('\u0000', '\uFFFD') : value;
        return clean.length() <= max ? clean : clean.substring(0, max);
    }
}
