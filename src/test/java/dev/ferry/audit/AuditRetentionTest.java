package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryIntegrationTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Events older than {@code ferry.audit.retention} (90 days by default) are purged; younger ones stay. */
class AuditRetentionTest extends FerryIntegrationTest {

    @Autowired
    AuditRetention retention;

    @Test
    void purgeDeletesOnlyEventsOlderThanTheRetention() {
        String old = insert(Instant.now().minus(Duration.ofDays(91)));
        String recent = insert(Instant.now().minus(Duration.ofDays(89)));

        retention.purge();

        assertThat(jdbc.queryForObject("select count(*) from audit_event where id = ?", Long.class, old))
                .isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where id = ?", Long.class, recent))
                .isEqualTo(1);
    }

    private String insert(Instant at) {
        String id = UUID.randomUUID().toString();
        jdbc.update(
                "insert into audit_event (id, occurred_at, kind, outcome) values (?, ?, 'exchange', 'refused')",
                id,
                Timestamp.from(at));
        return id;
    }
}
