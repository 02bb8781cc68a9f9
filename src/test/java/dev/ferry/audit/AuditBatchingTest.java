package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryIntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Exchange events that trickle in one at a time are written together: after an event, the writer
 * waits 20 ms for more before it writes, so its batches start at least 20 ms apart instead of one
 * transaction per event.
 */
class AuditBatchingTest extends FerryIntegrationTest {

    @Autowired
    MeterRegistry registry;

    @Test
    void eventsArrivingOneByOneAreWrittenInFewBatches() throws Exception {
        Timer batches = registry.get("ferry.audit.batch").timer();
        assertThat(auditLog.flush(Duration.ofSeconds(10))).isTrue();
        long batchesBefore = batches.count();

        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            auditLog.record(ExchangeEvent.builder(id, Instant.now(), "192.0.2.7")
                    .refused("invalid_grant", "test event " + i, null));
            Thread.sleep(1);
        }
        assertThat(auditLog.flush(Duration.ofSeconds(10)))
                .as("audit log flushed")
                .isTrue();
        long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();

        Long stored = new NamedParameterJdbcTemplate(jdbc)
                .queryForObject("select count(*) from audit_event where id in (:ids)", Map.of("ids", ids), Long.class);
        assertThat(stored).as("every event written").isEqualTo(100);
        // Each writer gathers for GATHER after the first event it takes: at most one batch per
        // writer per GATHER, far fewer than the 100 a batch per event would make.
        assertThat(batches.count() - batchesBefore)
                .as("batches written in %d ms (one per event without gathering)", elapsedMs)
                .isPositive()
                .isLessThanOrEqualTo(AuditLog.WRITERS * (elapsedMs / AuditLog.GATHER.toMillis() + 1));
    }
}
