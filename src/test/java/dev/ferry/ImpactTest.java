package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A proposed change replayed against the audit log: real exchanges are made, then dry runs with
 * {@code impact} tell which of them the change would refuse, grant, or grant otherwise.
 */
class ImpactTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static String issuerName;

    @BeforeEach
    void configure() {
        if (issuerName == null) {
            issuerName = unique("impact");
            create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        }
    }

    private static String target() {
        return "https://" + unique("impact") + ".example.com";
    }

    private Map<String, Object> allowOwner(String name, String ownerId, String target, List<String> scopes) {
        return rule(
                name,
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", ownerId)),
                List.of(target),
                scopes);
    }

    private String exchanged(String ownerId, String target, int expectedStatus) {
        Response response =
                exchange(ci.github().claim("repository_owner_id", ownerId).sign(), target);
        assertThat(response.status()).as(response.body()).isEqualTo(expectedStatus);
        String id = expectedStatus == 200
                ? response.header("Ferry-Exchange-Id")
                : response.json().get("exchange_id").stringValue();
        flushAudit();
        return id;
    }

    private static JsonNode groupFor(JsonNode impact, String list, String target) {
        return StreamSupport.stream(impact.get(list).spliterator(), false)
                .filter(g -> target.equals(g.get("target").stringValue()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + list + " group for " + target + " in " + impact));
    }

    private static boolean hasGroupFor(JsonNode impact, String list, String target) {
        return StreamSupport.stream(impact.get(list).spliterator(), false)
                .anyMatch(g -> target.equals(g.get("target").stringValue()));
    }

    @Test
    void tighteningToTheImmutableSubFlipsAGrantedExchangeToRefusedAndChangesNothing() {
        String target = target();
        String name = unique("impact-tighten");
        create("rules", allowOwner(name, "4242", target, List.of("deploy")));
        String granted = exchanged("4242", target, 200);

        Map<String, Object> tightened = allowOwner(name, "4242", target, List.of("deploy"));
        tightened.put(
                "conditions",
                List.of(
                        condition("repository_owner_id", "equals", "4242"),
                        condition("sub", "equals", "repo:acme@4242/app@123456:ref:refs/heads/main")));
        Response dryRun = admin("PUT", "/admin/v1/rules/" + name + "?dryRun=true&impact=P1D", tightened);

        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        JsonNode impact = dryRun.json().get("impact");
        assertThat(impact.get("basis").stringValue())
                .contains("claims as audited")
                .contains("not re-verified");
        assertThat(impact.get("partial").asBoolean()).isFalse();
        JsonNode group = groupFor(impact, "nowRefused", target);
        assertThat(group.get("exchanges").asLong()).isEqualTo(1);
        assertThat(group.get("issuer").stringValue()).isEqualTo(issuerName);
        assertThat(group.get("subject").stringValue()).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(group.get("error").stringValue())
                .as("other rules of this issuer still match the token, for other targets")
                .isIn("invalid_request", "invalid_target");
        assertThat(group.get("reason").stringValue()).contains(target);
        assertThat(group.get("exchangeIds").get(0).stringValue()).isEqualTo(granted);
        assertThat(impact.get("unusedRules").toString())
                .as("the tightened rule matches nothing of the window")
                .contains(name);
        assertThat(impact.get("summary").toString()).contains("would refuse 1 runs of repo:acme/app");
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).json().get("conditions"))
                .as("a dry run stores nothing")
                .hasSize(1);
        assertThat(exchange(ci.github().claim("repository_owner_id", "4242").sign(), target)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void looseningFlipsARefusedExchangeToGrantedByTheNewRule() {
        String target = target();
        create("rules", allowOwner(unique("impact-other"), "4242", target, List.of("deploy")));
        String refused = exchanged("777", target, 400);

        String name = unique("impact-loosen");
        Response dryRun = admin(
                "POST", "/admin/v1/rules?dryRun=true&impact=P1D", allowOwner(name, "777", target, List.of("deploy")));

        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        JsonNode impact = dryRun.json().get("impact");
        JsonNode group = groupFor(impact, "nowGranted", target);
        assertThat(group.get("exchanges").asLong()).isEqualTo(1);
        assertThat(group.get("grantingRules").toString()).contains(name);
        assertThat(group.get("exchangeIds").get(0).stringValue()).isEqualTo(refused);
        assertThat(impact.get("unusedRules").toString()).doesNotContain(name);
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).status()).isEqualTo(404);
    }

    @Test
    void aScopeAndLifetimeChangeIsReportedForGrantsThatStayGranted() {
        String target = target();
        String name = unique("impact-scope");
        Map<String, Object> rule = allowOwner(name, "4242", target, List.of("deploy"));
        rule.put("ttlSeconds", 900);
        create("rules", rule);
        exchanged("4242", target, 200);

        rule.put("scopes", List.of("deploy", "read"));
        rule.put("ttlSeconds", 300);
        Response dryRun = admin("PUT", "/admin/v1/rules/" + name + "?dryRun=true&impact=P1D", rule);

        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        JsonNode impact = dryRun.json().get("impact");
        JsonNode group = groupFor(impact, "grantsChanged", target);
        assertThat(group.get("scopesBefore").toString()).isEqualTo("[\"deploy\"]");
        assertThat(group.get("scopesAfter").toString()).isEqualTo("[\"deploy\",\"read\"]");
        assertThat(group.get("lifetimeBeforeSeconds").asLong()).isEqualTo(900);
        assertThat(group.get("lifetimeAfterSeconds").asLong()).isEqualTo(300);
        assertThat(hasGroupFor(impact, "nowRefused", target)).isFalse();
    }

    @Test
    void disablingTheIssuerWouldRefuseItsGrantedExchanges() {
        String target = target();
        create("rules", allowOwner(unique("impact-issuer"), "4242", target, List.of("deploy")));
        exchanged("4242", target, 200);
        JsonNode issuer = admin("GET", "/admin/v1/issuers/" + issuerName, null).json();
        Map<String, Object> disabled =
                new LinkedHashMap<>(issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        disabled.put("enabled", false);

        Response dryRun = admin("PUT", "/admin/v1/issuers/" + issuerName + "?dryRun=true&impact=P1D", disabled);

        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        JsonNode group = groupFor(dryRun.json().get("impact"), "nowRefused", target);
        assertThat(group.get("reason").stringValue()).contains("disabled");
        assertThat(admin("GET", "/admin/v1/issuers/" + issuerName, null).json().get("version"))
                .as("a dry run stores nothing")
                .isEqualTo(issuer.get("version"));
    }

    @Test
    void aProposedRuleThatMatchesNothingIsReportedUnused() {
        String name = unique("impact-unused");
        Response dryRun = admin(
                "POST",
                "/admin/v1/rules?dryRun=true&impact=P1D",
                allowOwner(name, "31337", target(), List.of("deploy")));

        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        assertThat(dryRun.json().get("impact").get("unusedRules").toString()).isEqualTo("[\"" + name + "\"]");
    }

    @Test
    void importDryRunAndTheReadOnlyImpactEndpointReplayADefinitionsFile() {
        String target = target();
        String name = unique("impact-file");
        create("rules", allowOwner(name, "4242", target, List.of("deploy")));
        exchanged("4242", target, 200);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("issuers", List.of());
        file.put("rules", List.of(allowOwner(name, "5555", target, List.of("deploy"))));

        Response dryRun = admin("POST", "/admin/v1/import?dryRun=true&impact=P1D", file);
        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        assertThat(dryRun.json().get("updated").toString()).contains("rule/" + name);
        assertThat(groupFor(dryRun.json().get("impact"), "nowRefused", target)
                        .get("exchanges")
                        .asLong())
                .isEqualTo(1);

        Response impact = admin("POST", "/admin/v1/impact?window=P1D", file);
        assertThat(impact.status()).as(impact.body()).isEqualTo(200);
        assertThat(impact.json().get("dryRun").asBoolean()).isTrue();
        assertThat(groupFor(impact.json().get("impact"), "nowRefused", target)
                        .get("exchanges")
                        .asLong())
                .isEqualTo(1);
        assertThat(admin("GET", "/admin/v1/rules/" + name, null)
                        .json()
                        .get("conditions")
                        .get(0)
                        .get("value")
                        .stringValue())
                .isEqualTo("4242");
    }

    @Test
    void impactIsRefusedWithoutDryRunOrWithAWindowBeyondRetention() {
        String name = unique("impact-bad");
        Map<String, Object> rule = allowOwner(name, "4242", target(), List.of("deploy"));

        Response withoutDryRun = admin("POST", "/admin/v1/rules?impact=P1D", rule);
        assertThat(withoutDryRun.status()).isEqualTo(400);
        assertThat(withoutDryRun.json().get("field").stringValue()).isEqualTo("impact");
        Response tooLong = admin("POST", "/admin/v1/rules?dryRun=true&impact=P1000D", rule);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("detail").stringValue()).contains("ferry.audit.retention");
        Response garbled = admin("POST", "/admin/v1/rules?dryRun=true&impact=seven-days", rule);
        assertThat(garbled.status()).isEqualTo(400);
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).status()).isEqualTo(404);
    }

    @Test
    void aReplayThatRunsOutOfItsBudgetAnswersPartiallyAndSaysHowFarItGot() {
        String target = target();
        String name = unique("impact-budget");
        create("rules", allowOwner(name, "4242", target, List.of("deploy")));
        String claims = JSON.writeValueAsString(
                Map.of("sub", "repo:acme/app:ref:refs/heads/main", "repository_owner_id", "4242"));
        Instant now = Instant.now();
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            rows.add(new Object[] {
                UUID.randomUUID().toString(),
                Timestamp.from(now.minusSeconds(600 - i)),
                issuerName,
                "repo:acme/app:ref:refs/heads/main",
                claims,
                target
            });
        }
        jdbc.batchUpdate(
                "insert into audit_event (id, occurred_at, kind, outcome, issuer, subject, claims, target)"
                        + " values (?, ?, 'exchange', 'issued', ?, ?, ?, ?)",
                rows);

        Response dryRun = admin(
                "PUT",
                "/admin/v1/rules/" + name + "?dryRun=true&impact=PT1H&impactBudget=PT0.001S",
                allowOwner(name, "5555", target, List.of("deploy")));

        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        JsonNode impact = dryRun.json().get("impact");
        assertThat(impact.get("partial").asBoolean()).isTrue();
        assertThat(impact.get("exchangesReplayed").asLong()).isLessThan(600);
        assertThat(Instant.parse(impact.get("replayedFrom").stringValue()))
                .isAfter(Instant.parse(impact.get("from").stringValue()));
        assertThat(impact.get("summary").get(0).stringValue()).contains("partial");
    }
}
