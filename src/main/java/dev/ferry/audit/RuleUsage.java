package dev.ferry.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;

/**
 * What each rule was used for: how many exchanges it matched that were issued or refused, by whom and
 * for which targets, read from the daily rollup the audit log keeps beside its events. The rollup is
 * not purged with the events, so a rule's usage outlives {@code ferry.audit.retention}.
 */
@Component
public class RuleUsage {

    private final JdbcTemplate jdbc;

    RuleUsage(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The usage of {@code rule} from the UTC day {@code since} on, with its {@code top} subjects and
     * targets (most exchanges first).
     */
    public Report of(String rule, LocalDate since, int top) {
        Totals totals = new Totals();
        jdbc.query(
                "select outcome, sum(exchanges), min(first_at), max(last_at) from rule_usage"
                        + " where rule = ? and used_on >= ? group by outcome",
                (RowCallbackHandler) rs -> totals.add(rs.getString(1), rs.getLong(2), instant(rs, 3), instant(rs, 4)),
                rule,
                Date.valueOf(since));
        return new Report(
                rule,
                since,
                totals.issued,
                totals.refused,
                totals.first,
                totals.last,
                distinct(rule, since, "subject"),
                distinct(rule, since, "target"),
                values(rule, since, "subject", top),
                values(rule, since, "target", top));
    }

    /** The usage of every rule used since the UTC day {@code since}, by rule name. */
    public Map<String, Summary> summaries(LocalDate since) {
        Map<String, Totals> byRule = new HashMap<>();
        jdbc.query(
                "select rule, outcome, sum(exchanges), max(last_at) from rule_usage where used_on >= ? group by rule, outcome",
                (RowCallbackHandler) rs -> byRule.computeIfAbsent(rs.getString(1), r -> new Totals())
                        .add(rs.getString(2), rs.getLong(3), null, instant(rs, 4)),
                Date.valueOf(since));
        Map<String, Summary> summaries = new HashMap<>();
        byRule.forEach((rule, t) -> summaries.put(rule, new Summary(since, t.issued, t.refused, t.last)));
        return summaries;
    }

    private long distinct(String rule, LocalDate since, String kind) {
        Long count = jdbc.queryForObject(
                "select count(distinct item) from rule_usage_value where rule = ? and used_on >= ? and kind = ?",
                Long.class,
                rule,
                Date.valueOf(since),
                kind);
        return count == null ? 0 : count;
    }

    private List<ValueCount> values(String rule, LocalDate since, String kind, int top) {
        return jdbc.query(
                "select item, sum(case when outcome = 'issued' then exchanges else 0 end) as issued,"
                        + " sum(case when outcome = 'refused' then exchanges else 0 end) as refused,"
                        + " min(first_at), max(last_at) from rule_usage_value"
                        + " where rule = ? and used_on >= ? and kind = ? group by item"
                        + " order by sum(exchanges) desc, item fetch first " + top + " rows only",
                (rs, n) ->
                        new ValueCount(rs.getString(1), rs.getLong(2), rs.getLong(3), instant(rs, 4), instant(rs, 5)),
                rule,
                Date.valueOf(since),
                kind);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static final class Totals {
        long issued;
        long refused;
        Instant first;
        Instant last;

        void add(String outcome, long exchanges, Instant firstAt, Instant lastAt) {
            if ("issued".equals(outcome)) {
                issued += exchanges;
            } else {
                refused += exchanges;
            }
            first = first == null || (firstAt != null && firstAt.isBefore(first)) ? firstAt : first;
            last = last == null || (lastAt != null && lastAt.isAfter(last)) ? lastAt : last;
        }
    }

    /**
     * A rule's usage since a day.
     *
     * @param since the first UTC day counted
     * @param issued exchanges the rule matched that were issued a token (for an allow rule: it granted)
     * @param refused exchanges the rule matched that were refused (for a deny rule: it refused them)
     * @param distinctSubjects how many upstream subjects ({@code sub}) those exchanges had
     * @param subjects the subjects with the most exchanges, most first
     * @param targets the targets with the most exchanges, most first
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(
            String rule,
            LocalDate since,
            long issued,
            long refused,
            Instant firstUsed,
            Instant lastUsed,
            long distinctSubjects,
            long distinctTargets,
            List<ValueCount> subjects,
            List<ValueCount> targets) {}

    /** One subject or target of a rule's exchanges, with their counts and when it was first and last seen. */
    public record ValueCount(String value, long issued, long refused, Instant firstSeen, Instant lastSeen) {}

    /** A rule's usage in short, as the rule list shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(LocalDate since, long issued, long refused, Instant lastUsed) {

        /** A rule no exchange matched since {@code since}. */
        public static Summary unused(LocalDate since) {
            return new Summary(since, 0, 0, null);
        }
    }
}
