package dev.ferry.audit;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the audit log: filtered, newest first, paged by an opaque cursor (keyset pagination on
 * {@code occurred_at, id}, so pages stay stable while new events arrive).
 */
@Component
public class AuditQuery {

    public static final int MAX_LIMIT = 500;

    /** Rows a replay fetches at a time: it streams the window, never holds it. */
    static final int REPLAY_FETCH = 500;

    private static final String REPLAYABLE =
            "select id, occurred_at, outcome, issuer, subject, claims, target, requested_scopes, dpop_jkt from audit_event"
                    + " where kind = 'exchange' and occurred_at >= ? and occurred_at < ? and issuer is not null"
                    + " and claims is not null and target is not null order by occurred_at desc, id desc";

    private final JdbcTemplate jdbc;
    private final JdbcTemplate streaming;
    private final TransactionTemplate readOnly;
    private final JsonMapper json = JsonMapper.builder().build();
    private final RowMapper<AuditEntry> rows = this::entry;

    AuditQuery(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.streaming = new JdbcTemplate(jdbc.getDataSource());
        this.streaming.setFetchSize(REPLAY_FETCH);
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    /**
     * Streams the exchanges of {@code [from, to)} that got as far as a verified subject token (their
     * claims were kept), newest first, to {@code each} until it answers false. Rows are fetched
     * {@value #REPLAY_FETCH} at a time in one read-only transaction (a server-side cursor on
     * PostgreSQL): a window is never loaded whole.
     */
    public void replay(Instant from, Instant to, Predicate<AuditedExchange> each) {
        readOnly.executeWithoutResult(status -> {
            try (Stream<AuditedExchange> stream =
                    streaming.queryForStream(REPLAYABLE, this::audited, Timestamp.from(from), Timestamp.from(to))) {
                Iterator<AuditedExchange> events = stream.iterator();
                while (events.hasNext()) {
                    if (!each.test(events.next())) {
                        return;
                    }
                }
            }
        });
    }

    private AuditedExchange audited(ResultSet rs, int row) throws SQLException {
        JsonNode requested = tree(rs, "requested_scopes");
        List<String> scopes = null;
        if (requested != null && requested.isArray()) {
            List<String> named = new ArrayList<>();
            requested.forEach(scope -> named.add(scope.asString()));
            scopes = List.copyOf(named);
        }
        return new AuditedExchange(
                rs.getString("id"),
                instant(rs, "occurred_at"),
                rs.getString("outcome"),
                rs.getString("issuer"),
                rs.getString("subject"),
                tree(rs, "claims"),
                rs.getString("target"),
                scopes,
                rs.getString("dpop_jkt") != null);
    }

    public AuditPage search(AuditFilter filter, String cursor, int limit) {
        // With a rule, the rules each event concerns lead, in time order (their own index); else the
        // events themselves, by the index of whichever filter is given (each ends in occurred_at, id).
        StringBuilder sql = new StringBuilder(
                filter.rule() == null
                        ? "select e.* from audit_event e where 1 = 1"
                        : "select e.* from audit_rule r join audit_event e on e.id = r.event_id and e.occurred_at = r.occurred_at"
                                + " where r.rule = ?");
        List<Object> args = new ArrayList<>();
        String time = filter.rule() == null ? "e.occurred_at" : "r.occurred_at";
        String id = filter.rule() == null ? "e.id" : "r.event_id";
        if (filter.rule() != null) {
            args.add(filter.rule());
        }
        equal(sql, args, "e.kind", filter.kind());
        equal(sql, args, "e.outcome", filter.outcome());
        equal(sql, args, "e.issuer", filter.issuer());
        equal(sql, args, "e.subject", filter.subject());
        equal(sql, args, "e.target", filter.target());
        if (filter.since() != null) {
            sql.append(" and ").append(time).append(" >= ?");
            args.add(Timestamp.from(filter.since()));
        }
        if (filter.until() != null) {
            sql.append(" and ").append(time).append(" < ?");
            args.add(Timestamp.from(filter.until()));
        }
        Cursor after = Cursor.decode(cursor);
        if (after != null) {
            sql.append(" and (").append(time).append(", ").append(id).append(") < (?, ?)");
            args.add(after.occurredAt());
            args.add(after.id());
        }
        sql.append(" order by ").append(time).append(" desc, ").append(id).append(" desc limit ?");
        args.add(limit + 1);
        List<AuditEntry> found = jdbc.query(sql.toString(), rows, args.toArray());
        if (found.size() <= limit) {
            return new AuditPage(found, null);
        }
        List<AuditEntry> page = found.subList(0, limit);
        AuditEntry last = page.get(limit - 1);
        return new AuditPage(List.copyOf(page), new Cursor(Timestamp.from(last.occurredAt()), last.id()).encode());
    }

    /** The expiry of the issued token with that {@code jti}, when the audit log has it. */
    public Optional<Instant> tokenExpiry(String tokenId) {
        return jdbc
                .query(
                        "select token_expires_at from audit_event where token_id = ? and token_expires_at is not null",
                        (rs, n) -> rs.getTimestamp(1).toInstant(),
                        tokenId)
                .stream()
                .findFirst();
    }

    /**
     * The tokens {@code rule} granted that have not expired by {@code now} ({@code jti} and
     * {@code exp}): issued after {@code issuedAfter}, since no token lives longer than
     * {@code ferry.token.max-ttl}, so only the last days' partitions are read.
     */
    public Map<String, Instant> unexpiredTokensGrantedBy(String rule, Instant now, Instant issuedAfter) {
        Map<String, Instant> tokens = new LinkedHashMap<>();
        jdbc.query(
                "select e.token_id, e.token_expires_at from audit_rule r"
                        + " join audit_event e on e.id = r.event_id and e.occurred_at = r.occurred_at"
                        + " where r.rule = ? and r.occurred_at > ? and r.outcome = 'issued' and e.token_expires_at > ?",
                (RowCallbackHandler)
                        rs -> tokens.put(rs.getString(1), rs.getTimestamp(2).toInstant()),
                rule,
                Timestamp.from(issuedAfter),
                Timestamp.from(now));
        return tokens;
    }

    public Optional<AuditEntry> get(String id) {
        return jdbc.query("select * from audit_event where id = ?", rows, id).stream()
                .findFirst();
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null) {
            sql.append(" and ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private AuditEntry entry(ResultSet rs, int row) throws SQLException {
        return new AuditEntry(
                rs.getString("id"),
                instant(rs, "occurred_at"),
                rs.getString("kind"),
                rs.getString("outcome"),
                rs.getString("error"),
                rs.getString("error_description"),
                rs.getString("detail"),
                rs.getString("issuer"),
                rs.getString("subject"),
                tree(rs, "claims"),
                rs.getString("target"),
                tree(rs, "requested_scopes"),
                tree(rs, "granted_scopes"),
                tree(rs, "matched_rules"),
                tree(rs, "decision"),
                rs.getString("token_id"),
                instant(rs, "token_expires_at"),
                rs.getString("client_address"),
                rs.getString("principal"),
                rs.getString("action"),
                rs.getString("entity_type"),
                rs.getString("entity_name"),
                tree(rs, "before_state"),
                tree(rs, "after_state"),
                rs.getString("dpop_jkt"));
    }

    private JsonNode tree(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : json.readTree(text);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** Where a page ends: the last event's time and id, as opaque base64url text. */
    private record Cursor(Timestamp occurredAt, String id) {
        String encode() {
            Instant at = occurredAt.toInstant();
            String raw = at.getEpochSecond() + ":" + at.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            if (cursor == null || cursor.isBlank()) {
                return null;
            }
            try {
                String[] parts =
                        new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 3);
                Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
                return new Cursor(Timestamp.from(at), parts[2]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cursor is not one this API gave out");
            }
        }
    }
}
