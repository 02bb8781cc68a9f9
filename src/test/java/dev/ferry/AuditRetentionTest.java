package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * Retention keeps {@code ferry.audit.retention} of the audit log, events and the rules they concern
 * alike: on PostgreSQL by dropping whole day partitions (and creating the days ahead), elsewhere (and
 * in the partitions that are not one day) by deleting in batches.
 */
@Tag("postgresql")
@ExtendWith(TestDatabase.Available.class)
class AuditRetentionTest {

    @TempDir
    Path dir;

    @Test
    void eventsPastRetentionGoAndTheRestStay() throws Exception {
        boolean postgres = TestDatabase.POSTGRESQL.selected();
        List<String> args = new ArrayList<>(List.of("--ferry.audit.retention=30d"));
        if (postgres) {
            args.add("--spring.datasource.url=" + TestDatabase.freshPostgresSchema("ferry_retention"));
            args.add("--spring.flyway.schemas=ferry_retention");
        }
        try (TestIssuer ci = new TestIssuer().start();
                StandaloneFerry ferry = StandaloneFerry.start(
                        dir, ci, "https://retention.example.com", "", args.toArray(String[]::new))) {
            JdbcTemplate jdbc = ferry.context().getBean(JdbcTemplate.class);
            Instant now = Instant.now();
            LocalDate old = LocalDate.ofInstant(now.minus(Duration.ofDays(40)), ZoneOffset.UTC);
            if (postgres) {
                // A day partition of 40 days ago, as retention finds it once the days have passed.
                jdbc.execute("alter table audit_event detach partition audit_event_legacy");
                jdbc.execute("alter table audit_rule detach partition audit_rule_legacy");
                for (String table : List.of("audit_event", "audit_rule")) {
                    jdbc.execute("create table " + table + "_p" + old.toString().replace("-", "") + " partition of "
                            + table + " for values from ('" + old + " 00:00:00+00') to ('" + old.plusDays(1)
                            + " 00:00:00+00')");
                }
            }
            String expired =
                    insert(jdbc, old.atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(3600));
            if (postgres) {
                // Without the upgrade's table, today and the days before need partitions of their own.
                ReflectionTestUtils.invokeMethod(
                        ferry.context().getBean(Class.forName("dev.ferry.audit.AuditRetention")), "createAhead");
                for (int daysAgo = 1; daysAgo <= 2; daysAgo++) {
                    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(daysAgo);
                    for (String table : List.of("audit_event", "audit_rule")) {
                        jdbc.execute("create table " + table + "_p"
                                + day.toString().replace("-", "")
                                + " partition of " + table + " for values from ('" + day + " 00:00:00+00') to ('"
                                + day.plusDays(1) + " 00:00:00+00')");
                    }
                }
            }
            String kept = insert(jdbc, now.minus(Duration.ofDays(2)));
            String recent = insert(jdbc, now);

            ReflectionTestUtils.invokeMethod(
                    ferry.context().getBean(Class.forName("dev.ferry.audit.AuditRetention")), "purge");

            assertThat(jdbc.queryForList("select id from audit_event", String.class))
                    .contains(kept, recent)
                    .doesNotContain(expired);
            assertThat(jdbc.queryForList("select event_id from audit_rule", String.class))
                    .contains(kept, recent)
                    .doesNotContain(expired);
            if (postgres) {
                assertThat(jdbc.queryForList(
                                "select relname from pg_class where relnamespace = current_schema()::regnamespace"
                                        + " and relname like 'audit_event_p%'",
                                String.class))
                        .as("the expired day is dropped, the week ahead is there")
                        .doesNotContain("audit_event_p" + old.toString().replace("-", ""))
                        .contains("audit_event_p"
                                + LocalDate.ofInstant(now, ZoneOffset.UTC)
                                        .plusDays(7)
                                        .toString()
                                        .replace("-", ""));
            }
        }
    }

    private static String insert(JdbcTemplate jdbc, Instant at) {
        String id = UUID.randomUUID().toString();
        jdbc.update(
                "insert into audit_event (id, occurred_at, kind, outcome, issuer) values (?, ?, 'exchange', 'issued', 'ci')",
                id,
                Timestamp.from(at));
        jdbc.update(
                "insert into audit_rule (rule, occurred_at, event_id, outcome) values ('allow', ?, ?, 'issued')",
                Timestamp.from(at),
                id);
        return id;
    }
}
