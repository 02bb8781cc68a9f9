package dev.ferry.core;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The database's clock: the one clock every replica shares. Decisions that compare times stamped by
 * different replicas (when a shared record may be pruned, what a revocation covers) read it rather
 * than their own, which may run ahead or behind the others'.
 */
@Component
public class DatabaseClock {

    private final JdbcTemplate jdbc;

    DatabaseClock(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The database server's current time. */
    public Instant now() {
        Timestamp now = jdbc.queryForObject("select current_timestamp", Timestamp.class);
        if (now == null) {
            throw new IllegalStateException("the database did not tell its time");
        }
        return now.toInstant();
    }
}
