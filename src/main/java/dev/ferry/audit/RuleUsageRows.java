package dev.ferry.audit;

import java.sql.Date;
import java.sql.PreparedStatement;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger log = LoggerFactory.getLogger(RuleUsageRows.class);

    static final int VALUE_LENGTH = 512;

    /**
     * PostgreSQL: every row of a chunk in one statement, from arrays ({@code unnest}), rather than one
     * statement per row: with many rules nearly every row is new, and a statement per row cost the
     * database (and the connection's round trips) several times the upsert itself. A chunk holds each
     * key once, as {@code on conflict do update} requires.
     */
    private static final String POSTGRES_USAGE =
            "insert into rule_usage (rule, used_on, outcome, exchanges, first_at, last_at)"
                    + " select rule, used_on::date, outcome, exchanges::bigint, first_at::timestamptz, last_at::timestamptz"
                    + " from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                    + " as u(rule, used_on, outcome, exchanges, first_at, last_at)"
                    + " on conflict (rule, used_on, outcome) do update set exchanges = rule_usage.exchanges + excluded.exchanges,"
                    + " first_at = least(rule_usage.first_at, excluded.first_at),"
                    + " last_at = greatest(rule_usage.last_at, excluded.last_at)";

    private static final String POSTGRES_VALUE =
            "insert into rule_usage_value (rule, used_on, outcome, kind, item, exchanges, first_at, last_at)"
                    + " select rule, used_on::date, outcome, kind, item, exchanges::bigint, first_at::timestamptz, last_at::timestamptz"
                    + " from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                    + " as u(rule, used_on, outcome, kind, item, exchanges, first_at, last_at)"
                    + " on conflict (rule, used_on, outcome, kind, item) do update"
                    + " set exchanges = rule_usage_value.exchanges + excluded.exchanges,"
                    + " first_at = least(rule_usage_value.first_at, excluded.first_at),"
                    + " last_at = greatest(rule_usage_value.last_at, excluded.last_at)";
    /** Rows per PostgreSQL statement. */
    private static final int CHUNK = 5_000;
    /**
     * Keys counted and not yet written beyond which new counts are dropped (about 25 MB of heap):
     * when the database cannot take the rollup for a long time, the heap must not fill with it. The
     * events themselves are not affected; dropped counts are logged and counted.
     */
    static final int MAX_PENDING = 100_000;

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
    private final AtomicLong dropped = new AtomicLong();
    private volatile Boolean postgres;
    private volatile long lastDropWarning;

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

    /**
     * Adds the committed batch's exchanges to the usage of every rule each of them matched; drops
     * them instead when {@value #MAX_PENDING} keys already wait to be written.
     */
    synchronized void count(List<ExchangeEvent> batch) {
        if (usage.size() + values.size() >= MAX_PENDING) {
            dropped.addAndGet(batch.size());
            long now = System.nanoTime();
            if (now - lastDropWarning > TimeUnit.MINUTES.toNanos(1)) {
                lastDropWarning = now;
                log.warn(
                        "The rule usage rollup is {} keys behind; {} exchanges not counted so far (their events are stored)",
                        MAX_PENDING,
                        dropped.get());
            }
            return;
        }
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
                long start = System.nanoTime();
                transactions.executeWithoutResult(status -> {
                    write(pg ? POSTGRES_USAGE : H2_USAGE, pg, rows(writeUsage, false));
                    write(pg ? POSTGRES_VALUE : H2_VALUE, pg, rows(writeValues, true));
                });
                log.debug(
                        "Wrote {} usage and {} value rows in {} ms",
                        writeUsage.size(),
                        writeValues.size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
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

    /** Exchanges not counted because too many keys waited to be written. */
    long dropped() {
        return dropped.get();
    }

    /** Rows of one table: on PostgreSQL as arrays, {@link #CHUNK} rows a statement; on H2 one merge each, in a batch. */
    private void write(String sql, boolean pg, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        if (!pg) {
            jdbc.batchUpdate(sql, rows);
            return;
        }
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            jdbc.execute((ConnectionCallback<Integer>) connection -> {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    int columns = chunk.get(0).length;
                    for (int column = 0; column < columns; column++) {
                        String[] texts = new String[chunk.size()];
                        for (int row = 0; row < chunk.size(); row++) {
                            texts[row] = text(chunk.get(row)[column]);
                        }
                        statement.setArray(column + 1, connection.createArrayOf("text", texts));
                    }
                    return statement.executeUpdate();
                }
            });
        }
    }

    /** A value as PostgreSQL reads it back through the statement's casts: instants in ISO 8601 with their zone. */
    private static String text(Object value) {
        return value instanceof Timestamp timestamp ? timestamp.toInstant().toString() : String.valueOf(value);
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
