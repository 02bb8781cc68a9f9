package dev.ferry.audit;

import dev.ferry.config.FerryProperties;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Deletes audit events older than {@code ferry.audit.retention}, hourly. Idempotent, so every replica may run it. */
@Component
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final JdbcTemplate jdbc;
    private final Duration retention;
    private final Clock clock;

    AuditRetention(JdbcTemplate jdbc, FerryProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.retention = properties.audit().retention();
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT5M")
    void purge() {
        int deleted = jdbc.update(
                "delete from audit_event where occurred_at < ?",
                Timestamp.from(clock.instant().minus(retention)));
        if (deleted > 0) {
            log.info("Purged {} audit events older than {}", deleted, retention);
        }
    }
}
