package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestDpop;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A rule that requires DPoP ({@code requireDpop}, docs/rules.md): the exchanges it grants need a DPoP
 * proof, and without one they are refused with {@code invalid_dpop_proof}, said so by {@code /token},
 * the audit log and {@code POST /admin/v1/evaluate}; only the rules behind the issued scopes count. The
 * field is validated, shown, exported and imported like every other.
 */
class DpopRuleTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://dpop-rules.example.com";
    private static boolean configured;
    private static String issuerName;
    private static String readRule;
    private static String writeRule;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        issuerName = unique("dpop-rules");
        create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        readRule = unique("read");
        create(
                "rules",
                rule(
                        readRule,
                        issuerName,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("read")));
        writeRule = unique("write");
        Map<String, Object> write = rule(
                writeRule,
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", "4242")),
                List.of(TARGET),
                List.of("deploy"));
        write.put("requireDpop", true);
        JsonNode created = create("rules", write);
        assertThat(created.get("requireDpop").asBoolean()).isTrue();
        configured = true;
    }

    private String tokenEndpoint() {
        return baseUrl() + "/token";
    }

    private Response exchangeFor(String scope, String proof) {
        String body = "grant_type=" + encode(GRANT_TYPE) + "&subject_token="
                + encode(ci.github().sign())
                + "&subject_token_type=" + encode(ID_TOKEN_TYPE) + "&audience=" + encode(TARGET)
                + (scope == null ? "" : "&scope=" + encode(scope));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (proof != null) {
            request.header("DPoP", proof);
        }
        return send(request.build());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private String proof() {
        return TestDpop.es256().proof("POST", tokenEndpoint()).sign();
    }

    @Test
    void aRuleThatRequiresDpopRefusesWithoutAProofAndSaysWhy() {
        long issuedBefore = issuedEvents();

        Response refused = exchangeFor("deploy", null);

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("error").stringValue()).isEqualTo("invalid_dpop_proof");
        assertThat(refused.json().get("error_description").stringValue())
                .contains("a DPoP proof (RFC 9449) is required for target")
                .doesNotContain(writeRule);
        assertThat(refused.json().has("access_token")).isFalse();
        Map<String, Object> event = auditEvent(refused.json().get("exchange_id").stringValue());
        assertThat(event.get("outcome")).isEqualTo("refused");
        assertThat(event.get("error")).isEqualTo("invalid_dpop_proof");
        assertThat((String) event.get("detail"))
                .isEqualTo("rule '" + writeRule + "' requires a DPoP proof (requireDpop) and the request carried none");
        assertThat(issuedEvents()).isEqualTo(issuedBefore);
    }

    @Test
    void aRuleThatRequiresDpopGrantsWithAProof() {
        Response granted = exchangeFor("deploy", proof());

        assertThat(granted.status()).as(granted.body()).isEqualTo(200);
        assertThat(granted.json().get("token_type").stringValue()).isEqualTo("DPoP");
        assertThat(granted.json().get("scope").stringValue()).isEqualTo("deploy");
    }

    @Test
    void onlyTheRulesBehindTheIssuedScopesDecide() {
        Response read = exchangeFor("read", null);
        assertThat(read.status())
                .as("read rests on a rule without requireDpop: %s", read.body())
                .isEqualTo(200);
        assertThat(read.json().get("token_type").stringValue()).isEqualTo("Bearer");

        Response everything = exchangeFor(null, null);
        assertThat(everything.status()).isEqualTo(400);
        assertThat(everything.json().get("error").stringValue())
                .as("no scope asked: every granted scope, deploy among them")
                .isEqualTo("invalid_dpop_proof");
        assertThat(exchangeFor("read deploy", null).json().get("error").stringValue())
                .isEqualTo("invalid_dpop_proof");
    }

    @Test
    void evaluateSaysTheRuleRequiredDpopAndThereWasNoProof() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("issuer", issuerName);
        request.put("claims", Map.of("sub", "repo:acme/app:ref:refs/heads/main", "repository_owner_id", "4242"));
        request.put("audience", TARGET);
        request.put("scope", "deploy");

        JsonNode withoutProof = admin("POST", "/admin/v1/evaluate", request).json();
        request.put("dpopProof", true);
        JsonNode withProof = admin("POST", "/admin/v1/evaluate", request).json();

        assertThat(withoutProof.get("decision").stringValue()).isEqualTo("deny");
        assertThat(withoutProof.get("error").stringValue()).isEqualTo("invalid_dpop_proof");
        assertThat(withoutProof.get("dpopProof").asBoolean()).isFalse();
        assertThat(rule(withoutProof, writeRule).get("requireDpop").asBoolean()).isTrue();
        assertThat(rule(withoutProof, writeRule).get("matched").asBoolean()).isTrue();
        assertThat(rule(withoutProof, readRule).has("requireDpop"))
                .as("left out for a rule without it")
                .isFalse();
        assertThat(withProof.get("decision").stringValue()).isEqualTo("allow");
        assertThat(withProof.get("dpopProof").asBoolean()).isTrue();
        assertThat(withProof.get("issuedClaims").has("cnf"))
                .as("a dry run has no key to bind to")
                .isFalse();
    }

    @Test
    void evaluateOfAnAuditedExchangeKnowsWhetherItHadAProof() {
        String refused = exchangeFor("deploy", null).json().get("exchange_id").stringValue();
        String bound = exchangeFor("deploy", proof()).header("Ferry-Exchange-Id");
        flushAudit();

        JsonNode again = admin("POST", "/admin/v1/evaluate", Map.of("exchangeId", refused))
                .json();
        JsonNode boundAgain =
                admin("POST", "/admin/v1/evaluate", Map.of("exchangeId", bound)).json();
        Response mixed = admin("POST", "/admin/v1/evaluate", Map.of("exchangeId", bound, "dpopProof", true));

        assertThat(again.get("error").stringValue()).isEqualTo("invalid_dpop_proof");
        assertThat(again.get("dpopProof").asBoolean()).isFalse();
        assertThat(boundAgain.get("decision").stringValue()).isEqualTo("allow");
        assertThat(boundAgain.get("dpopProof").asBoolean()).isTrue();
        assertThat(mixed.status()).isEqualTo(400);
        assertThat(mixed.json().get("field").stringValue()).isEqualTo("exchangeId");
    }

    @Test
    void requireDpopIsForAllowRulesOnly() {
        Map<String, Object> deny = rule(
                unique("deny-dpop"),
                issuerName,
                "deny",
                List.of(condition("ref", "equals", "refs/heads/evil")),
                List.of(),
                List.of());
        deny.put("requireDpop", true);

        Response refused = admin("POST", "/admin/v1/rules", deny);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("field").stringValue()).isEqualTo("requireDpop");
        assertThat(refused.json().get("detail").stringValue()).contains("allow rules");
    }

    @Test
    void requireDpopIsShownExportedAndImportedAndLeftOutWhenFalse() {
        JsonNode shown = admin("GET", "/admin/v1/rules/" + writeRule, null).json();
        JsonNode other = admin("GET", "/admin/v1/rules/" + readRule, null).json();
        assertThat(shown.get("requireDpop").asBoolean()).isTrue();
        assertThat(other.has("requireDpop"))
                .as("an export does not change on upgrade")
                .isFalse();

        JsonNode exported = admin("GET", "/admin/v1/export", null).json();
        JsonNode exportedRead = ruleIn(exported, readRule);
        assertThat(ruleIn(exported, writeRule).get("requireDpop").asBoolean()).isTrue();
        assertThat(exportedRead.has("requireDpop")).isFalse();

        Map<String, Object> changed = JSON.convertValue(exportedRead, Map.class);
        changed.put("requireDpop", true);
        String file = JSON.writeValueAsString(Map.of("rules", List.of(changed)));
        JsonNode dryRun = importJson(file, "?dryRun=true");
        assertThat(dryRun.get("updated").toString()).contains("rule/" + readRule);
        assertThat(admin("GET", "/admin/v1/rules/" + readRule, null).json().has("requireDpop"))
                .as("a dry run changes nothing")
                .isFalse();
        JsonNode unchanged = importJson(JSON.writeValueAsString(Map.of("rules", List.of(exportedRead))), "");
        assertThat(unchanged.get("unchanged").toString()).contains("rule/" + readRule);

        Map<String, Object> imported = JSON.convertValue(ruleIn(exported, writeRule), Map.class);
        imported.put("name", unique("imported"));
        imported.put("targets", List.of("https://dpop-imported.example.com"));
        JsonNode applied = importJson(JSON.writeValueAsString(Map.of("rules", List.of(imported))), "");
        assertThat(applied.get("created").toString()).contains("rule/" + imported.get("name"));
        assertThat(admin("GET", "/admin/v1/rules/" + imported.get("name"), null)
                        .json()
                        .get("requireDpop")
                        .asBoolean())
                .isTrue();
    }

    private JsonNode importJson(String body, String query) {
        Response response = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/import" + query))
                .header("Authorization", "Bearer " + BOOTSTRAP_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode rule(JsonNode evaluation, String name) {
        for (JsonNode rule : evaluation.get("rules")) {
            if (rule.get("rule").stringValue().equals(name)) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + name + " in " + evaluation);
    }

    private static JsonNode ruleIn(JsonNode export, String name) {
        for (JsonNode rule : export.get("rules")) {
            if (rule.get("name").stringValue().equals(name)) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + name + " exported");
    }
}
