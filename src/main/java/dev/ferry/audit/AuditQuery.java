package dev.ferry.audit;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the audit log: filtered, newest first, paged by an opaque cursor (keyset pagination on
 * {@code occurred_at, id}, so pages stay stable while new events arrive).
 */
@Component
public class AuditQuery {

    public static final int MAX_LIMIT = 500;

    private final JdbcTemplate jdbc;
    private final JsonMapper json = JsonMapper.builder().build();
    private final RowMapper<AuditEntry> rows = this::entry;

    AuditQuery(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public AuditPage search(AuditFilter filter, String cursor, int limit) {
        StringBuilder sql = new StringBuilder("select * from audit_event where 1 = 1");
        List<Object> args = new ArrayList<>();
        equal(sql, args, "kind", filter.kind());
        equal(sql, args, "outcome", filter.outcome());
        equal(sql, args, "issuer", filter.issuer());
        equal(sql, args, "subject", filter.subject());
        equal(sql, args, "target", filter.target());
        if (filter.rule() != null) {
            sql.append(" and (matched_rules like ? or (entity_type = 'rule' and entity_name = ?))");
            args.add("%\"" + filter.rule().replace("%", "").replace("_", "\\_") + "\"%");
            args.add(filter.rule());
        }
        if (filter.since() != null) {
            sql.append(" and occurred_at >= ?");
            args.add(Timestamp.from(filter.since()));
        }
        if (filter.until() != null) {
            sql.append(" and occurred_at < ?");
            args.add(Timestamp.from(filter.until()));
        }
        Cursor after = Cursor.decode(cursor);
        if (after != null) {
            sql.append(" and (occurred_at < ? or (occurred_at = ? and id < ?))");
            args.add(after.occurredAt());
            args.add(after.occurredAt());
            args.add(after.id());
        }
        sql.append(" order by occurred_at desc, id desc limit ?");
        args.add(limit + 1);
        List<AuditEntry> found = jdbc.query(sql.toString(), rows, args.toArray());
        if (found.size() <= limit) {
            return new AuditPage(found, null);
        }
        List<AuditEntry> page = found.subList(0, limit);
        AuditEntry last = page.get(limit - 1);
        return new AuditPage(List.copyOf(page), new Cursor(Timestamp.from(last.occurredAt()), last.id()).encode());
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
                tree(rs, "after_state"));
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
