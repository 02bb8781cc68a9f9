package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryIntegrationTest;
import dev.ferry.testing.TestIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/v1/rules/{name}/usage}: what a rule was used for, counted as exchanges are written, kept past retention. */
class RuleUsageTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    @Autowired
    AuditRetention retention;

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
}
