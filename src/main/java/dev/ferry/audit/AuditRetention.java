package dev.ferry.audit;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DatabaseClock;
import jakarta.annotation.PostConstruct;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the audit log to {@code ferry.audit.retention}, every {@code ferry.audit.purge-every}, on every replica (each step is
 * idempotent), without stalling exchanges. On PostgreSQL the audit tables are partitioned by day
 * (docs/performance.md, The audit log at scale): a day past retention is detached (concurrently:
 * inserts and queries go on) and dropped whole, and the days ahead are created in advance, a week at a
 * time. Rows in a partition that is not one day (the table an upgrade found) and every row on H2 are
 * deleted in batches of {@value #BATCH}, each its own short transaction.
 */
@Component
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    private static final int BATCH = 10_000;
    private static final int DAYS_AHEAD = 7;
    private static final List<String> TABLES = List.of("audit_event", "audit_rule");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final Duration retention;
    private final DatabaseClock databaseClock;
    private boolean partitioned;

    AuditRetention(JdbcTemplate jdbc, DataSource dataSource, FerryProperties properties, DatabaseClock databaseClock) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.retention = properties.audit().retention();
        this.databaseClock = databaseClock;
    }

    @PostConstruct
    void start() {
        try (Connection connection = dataSource.getConnection()) {
            partitioned = "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database to check its kind: " + e.getMessage(), e);
        }
        if (partitioned) {
            createAhead();
        }
    }

    @Scheduled(
            fixedDelayString = "${ferry.audit.purge-every:1h}",
            initialDelayString = "${ferry.audit.purge-first-after:5m}")
    void purge() {
        Instant before = databaseClock.now().minus(retention);
        long deleted = 0;
        if (partitioned) {
            createAhead();
            deleted += dropDaysBefore(before);
        }
        for (String table : TABLES) {
            deleted += deleteRowsBefore(table, before);
        }
        if (deleted > 0) {
            log.info("Purged {} audit rows older than {}", deleted, retention);
        }
    }

    /** The day partitions of today and the next {@value #DAYS_AHEAD} days, where missing. */
    void createAhead() {
        LocalDate today = LocalDate.ofInstant(databaseClock.now(), ZoneOffset.UTC);
        for (int day = 0; day <= DAYS_AHEAD; day++) {
            LocalDate from = today.plusDays(day);
            for (String table : TABLES) {
                String partition = table + "_p" + DAY.format(from);
                try {
                    jdbc.execute("create table if not exists " + partition + " partition of " + table
                            + " for values from ('" + from + " 00:00:00+00') to ('" + from.plusDays(1)
                            + " 00:00:00+00')");
                } catch (DataAccessException e) {
                    // Another replica created it meanwhile, or the range is covered (an upgrade's table).
                    log.debug(
                            "Partition {} not created: {}",
                            partition,
                            e.getMostSpecificCause().getMessage());
                }
            }
        }
    }

    /** Detaches and drops the day partitions that end before {@code before}; returns how many rows they held. */
    private long dropDaysBefore(Instant before) {
        long dropped = 0;
        LocalDate lastDayToDrop = LocalDate.ofInstant(before, ZoneOffset.UTC).minusDays(1);
        for (String table : TABLES) {
            List<String> partitions = jdbc.queryForList(
                    "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                            + " join pg_class p on p.oid = i.inhparent"
                            + " where p.relname = ? and p.relnamespace = current_schema()::regnamespace",
                    String.class,
                    table);
            for (String partition : partitions) {
                String suffix = partition.substring(partition.lastIndexOf('_') + 1);
                if (!suffix.matches("p\\d{8}")
                        || LocalDate.parse(suffix.substring(1), DAY).isAfter(lastDayToDrop)) {
                    continue;
                }
                try {
                    Long rows = jdbc.queryForObject(
                            "select greatest(reltuples, 0)::bigint from pg_class where relname = ?"
                                    + " and relnamespace = current_schema()::regnamespace",
                            Long.class,
                            partition);
                    // Concurrently: no lock that would hold up the inserts of exchanges (PostgreSQL 14+).
                    jdbc.execute("alter table " + table + " detach partition " + partition + " concurrently");
                    jdbc.execute("drop table " + partition);
                    dropped += rows == null ? 0 : rows;
                } catch (DataAccessException e) {
                    // Another replica is dropping it: the next run finds it gone.
                    log.debug(
                            "Partition {} not dropped: {}",
                            partition,
                            e.getMostSpecificCause().getMessage());
                }
            }
        }
        return dropped;
    }

    /** Deletes the rows of {@code table} older than {@code before}, {@value #BATCH} at a time. */
    private long deleteRowsBefore(String table, Instant before) {
        String key = table.equals("audit_event") ? "id" : "event_id";
        long total = 0;
        int deleted;
        do {
            deleted = jdbc.update(
                    "delete from " + table + " where " + key + " in (select " + key + " from " + table
                            + " where occurred_at < ? fetch first " + BATCH + " rows only)",
                    Timestamp.from(before));
            total += deleted;
        } while (deleted >= BATCH);
        return total;
    }
}
