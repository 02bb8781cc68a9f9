package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.FerryIntegrationTest;
import dev.ferry.testing.TestIssuer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/v1/rules/{name}/usage}: what a rule was used for, counted as exchanges are written, kept past retention and through a failed write. */
class RuleUsageTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    @Autowired
    AuditRetention retention;

    @Autowired
    DataSource dataSource;

    private static String issuer;

    private String issuerWithRule(String rule, String target) {
        if (issuer == null) {
            issuer = unique("usage");
            create("issuers", issuerFor(issuer, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        }
        create(
                "rules",
                rule(
                        rule,
                        issuer,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(target),
                        List.of("deploy")));
        return issuer;
    }

    @Test
    void usageCountsGrantsAndRefusalsBySubjectAndTargetAndTheRuleListSummarizesThem() {
        String rule = unique("usage-rule");
        String target = "https://" + unique("usage") + ".example.com";
        issuerWithRule(rule, target);
        assertThat(exchange(ci.github().sign(), target).status()).isEqualTo(200);
        assertThat(exchange(
                                ci.github()
                                        .subject("repo:acme/other:ref:refs/heads/main")
                                        .sign(),
                                target)
                        .status())
                .isEqualTo(200);
        Response refused = postForm(Map.of(
                "grant_type", GRANT_TYPE,
                "subject_token", ci.github().sign(),
                "subject_token_type", ID_TOKEN_TYPE,
                "audience", target,
                "scope", "admin"));
        assertThat(refused.json().get("error").stringValue())
                .as("the rule matches, but does not grant the scope: refused")
                .isEqualTo("invalid_scope");
        flushAudit();

        JsonNode usage = admin("GET", "/admin/v1/rules/" + rule + "/usage?window=P7D", null)
                .json();

        assertThat(usage.get("issued").asLong()).isEqualTo(2);
        assertThat(usage.get("refused").asLong()).isEqualTo(1);
        assertThat(usage.get("distinctSubjects").asLong()).isEqualTo(2);
        JsonNode main = value(usage.get("subjects"), "repo:acme/app:ref:refs/heads/main");
        assertThat(main.get("issued").asLong()).isEqualTo(1);
        assertThat(main.get("refused").asLong()).isEqualTo(1);
        assertThat(value(usage.get("targets"), target).get("issued").asLong()).isEqualTo(2);
        assertThat(usage.get("lastUsed")).isNotNull();

        JsonNode listed = StreamSupport.stream(
                        admin("GET", "/admin/v1/rules?issuer=" + issuer, null)
                                .json()
                                .spliterator(),
                        false)
                .filter(r -> rule.equals(r.get("name").stringValue()))
                .findFirst()
                .orElseThrow();
        assertThat(listed.get("usage").get("issued").asLong()).isEqualTo(2);
        assertThat(listed.get("usage").get("refused").asLong()).isEqualTo(1);
    }

    @Test
    void usageCountsSurviveRetentionOfTheEventsTheyWereCountedFrom() {
        String rule = unique("usage-old");
        String target = "https://" + unique("usage") + ".example.com";
        issuerWithRule(rule, target);
        Instant longAgo = Instant.now().minus(Duration.ofDays(95));
        List<String> ids =
                List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        for (String id : ids) {
            auditLog.record(ExchangeEvent.builder(id, longAgo, "127.0.0.1")
                    .issuer(issuer)
                    .subject("repo:acme/app:ref:refs/heads/main")
                    .target(target)
                    .matchedRules(List.of(rule))
                    .issued(UUID.randomUUID().toString(), longAgo.plusSeconds(900)));
        }
        flushAudit();

        retention.purge();

        for (String id : ids) {
            assertThat(jdbc.queryForObject("select count(*) from audit_event where id = ?", Long.class, id))
                    .as("the event is past retention")
                    .isZero();
        }
        JsonNode usage = admin("GET", "/admin/v1/rules/" + rule + "/usage?window=P100D", null)
                .json();
        assertThat(usage.get("issued").asLong()).isEqualTo(2);
        assertThat(value(usage.get("targets"), target).get("issued").asLong()).isEqualTo(2);
        assertThat(admin("GET", "/admin/v1/rules/" + rule + "/usage?window=P30D", null)
                        .json()
                        .get("issued")
                        .asLong())
                .as("outside a shorter window")
                .isZero();
        assertThat(admin("GET", "/admin/v1/rules/no-such-rule/usage", null).status())
                .isEqualTo(404);
        assertThat(admin("GET", "/admin/v1/rules/" + rule + "/usage?window=P9999D", null)
                        .status())
                .isEqualTo(400);
    }

    private static JsonNode value(JsonNode values, String value) {
        return StreamSupport.stream(values.spliterator(), false)
                .filter(v -> value.equals(v.get("value").stringValue()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + value + " in " + values));
    }

    @Test
    void countsAWriteFailedOnAreKeptAndWrittenByTheNextFlush() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        DataSource flaky = new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                if (down.get()) {
                    throw new SQLTransientConnectionException("database down (test)");
                }
                return super.getConnection();
            }
        };
        RuleUsageRows rows = new RuleUsageRows(
                new JdbcTemplate(flaky), new TransactionTemplate(new DataSourceTransactionManager(flaky)));
        String rule = unique("usage-kept");
        Instant first = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(5);
        rows.count(List.of(event(rule, "repo:acme/app", first), event(rule, "repo:acme/web", first.plusSeconds(1))));

        down.set(true);
        assertThatThrownBy(rows::flush).hasRootCauseInstanceOf(SQLTransientConnectionException.class);
        rows.count(List.of(event(rule, "repo:acme/app", first.plusSeconds(2))));
        down.set(false);
        rows.flush();

        assertThat(jdbc.queryForObject(
                        "select sum(exchanges) from rule_usage where rule = ? and outcome = 'issued'",
                        Long.class,
                        rule))
                .as("the failed flush's counts and the later ones, each once")
                .isEqualTo(3);
        assertThat(jdbc.queryForObject(
                        "select exchanges from rule_usage_value where rule = ? and kind = 'subject' and item = ?",
                        Long.class,
                        rule,
                        "repo:acme/app"))
                .isEqualTo(2);
        assertThat(jdbc.queryForObject("select first_at from rule_usage where rule = ?", Timestamp.class, rule)
                        .toInstant())
                .as("the times written as they were counted")
                .isEqualTo(first);
        assertThat(jdbc.queryForObject("select last_at from rule_usage where rule = ?", Timestamp.class, rule)
                        .toInstant())
                .isEqualTo(first.plusSeconds(2));
        rows.flush();
        assertThat(jdbc.queryForObject("select sum(exchanges) from rule_usage where rule = ?", Long.class, rule))
                .as("a flush with nothing counted writes nothing")
                .isEqualTo(3);
    }

    @Test
    void countsStopAtTheBoundAndWhatIsLeftOutIsCounted() {
        RuleUsageRows rows =
                new RuleUsageRows(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
        List<ExchangeEvent> batch = new ArrayList<>();
        Instant at = Instant.now();
        // Three keys an event (the rule, its subject, its target) until the bound is reached.
        for (int i = 0; i * 3 < RuleUsageRows.MAX_PENDING; i++) {
            batch.add(event("bound-" + i, "repo:acme/app-" + i, at));
        }
        rows.count(batch);
        assertThat(rows.dropped()).isZero();

        rows.count(List.of(event("bound-late", "repo:acme/late", at), event("bound-late", "repo:acme/late", at)));

        assertThat(rows.dropped()).as("the batch past the bound").isEqualTo(2);
    }

    private static ExchangeEvent event(String rule, String subject, Instant at) {
        return ExchangeEvent.builder(UUID.randomUUID().toString(), at, "192.0.2.9")
                .issuer("usage")
                .subject(subject)
                .target("https://kept.example.com")
                .matchedRules(List.of(rule))
                .issued(UUID.randomUUID().toString(), Instant.now().plusSeconds(600));
    }
}
