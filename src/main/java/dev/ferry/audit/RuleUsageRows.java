package dev.ferry.audit;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The daily usage rollup of each rule ({@code rule_usage}, {@code rule_usage_value}). The events of a
 * batch are counted in memory once the batch has committed ({@link #count}), so an event is never
 * counted that the audit log does not hold, and the counts are written every few seconds in a
 * transaction of their own ({@link #flush}): no issued token waits for them (docs/architecture.md,
 * 5. Audit). With many rules nearly every exchange adds to rows of its own, three upserts on random
 * index pages, which cost more than the event itself. What a crash loses is the counts of the last
 * interval (the events stay). Counts are summed first, then written in key order: two replicas adding
 * to the same rows lock them in the same order and never deadlock.
 */
final class RuleUsageRows {

    static final int VALUE_LENGTH = 512;

    private static final String POSTGRES_USAGE =
            "insert into rule_usage (rule, used_on, outcome, exchanges, first_at, last_at) values (?, ?, ?, ?, ?, ?)"
                    + " on conflict (rule, used_on, outcome) do update set exchanges = rule_usage.exchanges + excluded.exchanges,"
                    + " first_at = least(rule_usage.first_at, excluded.first_at),"
                    + " last_at = greatest(rule_usage.last_at, excluded.last_at)";
    private static final String POSTGRES_VALUE =
            "insert into rule_usage_value (rule, used_on, outcome, kind, item, exchanges, first_at, last_at)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " on conflict (rule, used_on, outcome, kind, item) do update"
                    + " set exchanges = rule_usage_value.exchanges + excluded.exchanges,"
                    + " first_at = least(rule_usage_value.first_at, excluded.first_at),"
                    + " last_at = greatest(rule_usage_value.last_at, excluded.last_at)";
    private static final String H2_USAGE = "merge into rule_usage t using (values (cast(? as varchar(64)),"
            + " cast(? as date), cast(? as varchar(16)), cast(? as bigint), cast(? as timestamp with time zone),"
            + " cast(? as timestamp with time zone))) s(rule, used_on, outcome, exchanges, first_at, last_at)"
            + " on t.rule = s.rule and t.used_on = s.used_on and t.outcome = s.outcome"
            + " when matched then update set exchanges = t.exchanges + s.exchanges,"
            + " first_at = least(t.first_at, s.first_at), last_at = greatest(t.last_at, s.last_at)"
            + " when not matched then insert (rule, used_on, outcome, exchanges, first_at, last_at)"
            + " values (s.rule, s.used_on, s.outcome, s.exchanges, s.first_at, s.last_at)";
    private static final String H2_VALUE = "merge into rule_usage_value t using (values (cast(? as varchar(64)),"
            + " cast(? as date), cast(? as varchar(16)), cast(? as varchar(8)), cast(? as varchar(512)),"
            + " cast(? as bigint), cast(? as timestamp with time zone), cast(? as timestamp with time zone)))"
            + " s(rule, used_on, outcome, kind, item, exchanges, first_at, last_at)"
            + " on t.rule = s.rule and t.used_on = s.used_on and t.outcome = s.outcome and t.kind = s.kind and t.item = s.item"
            + " when matched then update set exchanges = t.exchanges + s.exchanges,"
            + " first_at = least(t.first_at, s.first_at), last_at = greatest(t.last_at, s.last_at)"
            + " when not matched then insert (rule, used_on, outcome, kind, item, exchanges, first_at, last_at)"
            + " values (s.rule, s.used_on, s.outcome, s.kind, s.item, s.exchanges, s.first_at, s.last_at)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private volatile Boolean postgres;

    /** Counted and not yet written; guarded by {@code this}. */
    private Map<Key, Count> usage = new TreeMap<>(Key.ORDER);
    /** Guarded by {@code this}. */
    private Map<Key, Count> values = new TreeMap<>(Key.ORDER);
    /** Held while a flush writes, so a caller of {@link #flush} returns only once everything counted before is written. */
    private final ReentrantLock flushing = new ReentrantLock();

    RuleUsageRows(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** Adds the committed batch's exchanges to the usage of every rule each of them matched. */
    synchronized void count(List<ExchangeEvent> batch) {
        for (ExchangeEvent e : batch) {
            if (e.matchedRules() == null) {
                continue;
            }
            LocalDate day = LocalDate.ofInstant(e.occurredAt(), ZoneOffset.UTC);
            String outcome = e.outcome().column();
            for (String rule : new LinkedHashSet<>(e.matchedRules())) {
                count(usage, new Key(rule, day, outcome, "", ""), e.occurredAt());
                if (e.subject() != null) {
                    count(values, new Key(rule, day, outcome, "subject", cut(e.subject())), e.occurredAt());
                }
                if (e.target() != null) {
                    count(values, new Key(rule, day, outcome, "target", cut(e.target())), e.occurredAt());
                }
            }
        }
    }

    /**
     * Writes what was counted since the last flush, in one transaction. When the write fails, the
     * counts are kept for the next flush, so an outage of the database delays them and loses none.
     */
    void flush() {
        flushing.lock();
        try {
            Map<Key, Count> writeUsage;
            Map<Key, Count> writeValues;
            synchronized (this) {
                if (usage.isEmpty()) {
                    return;
                }
                writeUsage = usage;
                writeValues = values;
                usage = new TreeMap<>(Key.ORDER);
                values = new TreeMap<>(Key.ORDER);
            }
            try {
                boolean pg = isPostgres();
                transactions.executeWithoutResult(status -> {
                    jdbc.batchUpdate(pg ? POSTGRES_USAGE : H2_USAGE, rows(writeUsage, false));
                    if (!writeValues.isEmpty()) {
                        jdbc.batchUpdate(pg ? POSTGRES_VALUE : H2_VALUE, rows(writeValues, true));
                    }
                });
            } catch (RuntimeException e) {
                synchronized (this) {
                    writeUsage.forEach((key, count) ->
                            usage.computeIfAbsent(key, k -> new Count()).add(count));
                    writeValues.forEach((key, count) ->
                            values.computeIfAbsent(key, k -> new Count()).add(count));
                }
                throw e;
            }
        } finally {
            flushing.unlock();
        }
    }

    private static void count(Map<Key, Count> counts, Key key, Instant at) {
        counts.computeIfAbsent(key, k -> new Count()).add(at);
    }

    private static List<Object[]> rows(Map<Key, Count> counts, boolean withValue) {
        List<Object[]> rows = new ArrayList<>(counts.size());
        counts.forEach((key, count) -> {
            List<Object> row = new ArrayList<>(8);
            row.add(key.rule());
            row.add(Date.valueOf(key.day()));
            row.add(key.outcome());
            if (withValue) {
                row.add(key.kind());
                row.add(key.value());
            }
            row.add(count.exchanges);
            row.add(Timestamp.from(count.first));
            row.add(Timestamp.from(count.last));
            rows.add(row.toArray());
        });
        return rows;
    }

    private static String cut(String value) {
        String clean = value.indexOf('\u0000') >= 0 ? value.replace('\u0000', '\uFFFD') : value;
        return clean.length() <= VALUE_LENGTH ? clean : clean.substring(0, VALUE_LENGTH);
    }

    private boolean isPostgres() {
        Boolean known = postgres;
        if (known == null) {
            known = "PostgreSQL".equalsIgnoreCase(jdbc.execute((ConnectionCallback<String>)
                    c -> c.getMetaData().getDatabaseProductName()));
            postgres = known;
        }
        return known;
    }

    private record Key(String rule, LocalDate day, String outcome, String kind, String value) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::rule)
                .thenComparing(Key::day)
                .thenComparing(Key::outcome)
                .thenComparing(Key::kind)
                .thenComparing(Key::value);
    }

    private static final class Count {
        long exchanges;
        Instant first;
        Instant last;

        void add(Instant at) {
            exchanges++;
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
        }

        void add(Count other) {
            exchanges += other.exchanges;
            first = first == null || other.first.isBefore(first) ? other.first : first;
            last = last == null || other.last.isAfter(last) ? other.last : last;
        }
    }
}
