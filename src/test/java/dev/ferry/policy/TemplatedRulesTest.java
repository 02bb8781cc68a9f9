package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.FerryIntegrationTest;
import dev.ferry.testing.TestIssuer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * One organisation-wide templated rule over HTTP, with real tokens of both GitHub {@code sub} forms
 * (docs/rules.md, Templated targets and scopes); and the guardrails an operator enforces with {@code
 * ferry.lint.refuse} (default: {@code unbound-identity}) on every way a rule is written.
 */
class TemplatedRulesTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String NS = "https://templated.example.com/ns/";
    private static String issuerName;
    private static String orgWide;

    @Autowired
    RefusedRulesReport report;

    @BeforeEach
    void configure() {
        if (issuerName != null) {
            return;
        }
        issuerName = unique("tpl");
        create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        orgWide = unique("tpl-org");
        create(
                "rules",
                rule(
                        orgWide,
                        issuerName,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/main"),
                                condition("event_name", "in", List.of("push", "workflow_dispatch"))),
                        List.of(NS + "${repository_id}"),
                        List.of("deploy:${repository_id}", "read")));
    }

    /** A push to main of repository {@code repositoryId} of acme (owner 4242), in either {@code sub} form. */
    private static String token(String repositoryId, boolean immutableSub) {
        String sub = immutableSub
                ? "repo:acme@4242/app@" + repositoryId + ":ref:refs/heads/main"
                : "repo:acme/app:ref:refs/heads/main";
        return ci.github().claim("repository_id", repositoryId).subject(sub).sign();
    }

    static List<Arguments> subjectForms() {
        return List.of(Arguments.of("classic sub", false), Arguments.of("immutable sub", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjectForms")
    void eachRepositoryGetsItsOwnNamespaceOnlyAndTheAuditRecordsWhatWasGranted(String name, boolean immutable)
            throws Exception {
        Response own = exchange(token("123456", immutable), NS + "123456");
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.json().get("scope").stringValue()).isEqualTo("deploy:123456 read");
        JWTClaimsSet issued =
                SignedJWT.parse(own.json().get("access_token").stringValue()).getJWTClaimsSet();
        assertThat(issued.getAudience()).containsExactly(NS + "123456");
        assertThat(issued.getStringClaim("scope")).isEqualTo("deploy:123456 read");
        Map<String, Object> event = auditEvent(own.header("Ferry-Exchange-Id"));
        assertThat(event.get("target")).isEqualTo(NS + "123456");
        assertThat((String) event.get("granted_scopes"))
                .contains("deploy:123456")
                .doesNotContain("${");

        Response other = exchange(token("123456", immutable), NS + "654321");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().get("error").stringValue()).isEqualTo("invalid_target");
        assertThat(auditEvent(other.json().get("exchange_id").stringValue()).get("outcome"))
                .isEqualTo("refused");
        assertThat(other.json().has("access_token")).isFalse();

        Map<String, String> form = new LinkedHashMap<>(Map.of(
                "grant_type",
                GRANT_TYPE,
                "subject_token",
                token("123456", immutable),
                "subject_token_type",
                ID_TOKEN_TYPE,
                "audience",
                NS + "123456",
                "scope",
                "deploy:654321"));
        Response otherScope = postForm(form);
        assertThat(otherScope.status()).isEqualTo(400);
        assertThat(otherScope.json().get("error").stringValue()).isEqualTo("invalid_scope");
    }

    @Test
    void evaluateShowsEachTemplateTheClaimValuesItUsedAndTheResult() {
        Response response = admin(
                "POST",
                "/admin/v1/evaluate",
                Map.of("token", token("777", true), "audience", NS + "777", "scope", "deploy:777"));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode evaluation = response.json();
        assertThat(evaluation.get("decision").stringValue()).isEqualTo("allow");
        JsonNode rule = null;
        for (JsonNode r : evaluation.get("rules")) {
            if (r.get("rule").stringValue().equals(orgWide)) {
                rule = r;
            }
        }
        assertThat(rule).isNotNull();
        JsonNode target = rule.get("templates").get(0);
        assertThat(target.get("kind").stringValue()).isEqualTo("target");
        assertThat(target.get("template").stringValue()).isEqualTo(NS + "${repository_id}");
        assertThat(target.get("claims").get("repository_id").stringValue()).isEqualTo("777");
        assertThat(target.get("result").stringValue()).isEqualTo(NS + "777");
        assertThat(rule.get("templates").get(1).get("result").stringValue()).isEqualTo("deploy:777");
    }

    @Test
    void anUnpinnedRuleIsRefusedOnEveryWriteUnlessAcknowledgedAndStoredOnesKeepWorking() {
        String name = unique("tpl-unpinned");
        Map<String, Object> unpinned = rule(
                name,
                issuerName,
                "allow",
                List.of(condition("ref", "equals", "refs/heads/main"), condition("event_name", "equals", "push")),
                List.of("https://unpinned.example.com"),
                List.of("deploy"));

        Response refused = admin("POST", "/admin/v1/rules", unpinned);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("type").stringValue()).isEqualTo("urn:ferry:problem:refused-by-linter");
        assertThat(refused.json().get("refused").toString()).isEqualTo("[\"unbound-identity\"]");
        assertThat(refused.json().get("warnings").toString()).contains("unbound-identity", "suggestedFix");
        assertThat(admin("POST", "/admin/v1/rules?dryRun=true", unpinned).status())
                .isEqualTo(400);
        Response imported = admin("POST", "/admin/v1/import", Map.of("issuers", List.of(), "rules", List.of(unpinned)));
        assertThat(imported.status()).as(imported.body()).isEqualTo(400);
        assertThat(imported.json().get("field").stringValue()).isEqualTo("rules[0]");
        assertThat(imported.json().get("refused").toString()).isEqualTo("[\"unbound-identity\"]");
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).status()).isEqualTo(404);

        Map<String, Object> acknowledged = new LinkedHashMap<>(unpinned);
        acknowledged.put(
                "acknowledged", List.of(Map.of("code", "unbound-identity", "reason", "only our own runners use it")));
        JsonNode created = create("rules", acknowledged);
        assertThat(created.get("acknowledged").get(0).get("reason").stringValue())
                .isEqualTo("only our own runners use it");
        assertThat(created.get("refused")).isEmpty();
        assertThat(created.get("warnings").toString()).contains("unbound-identity");
        Response badAck = admin(
                "POST",
                "/admin/v1/rules?dryRun=true",
                Map.of(
                        "name",
                        name + "-x",
                        "issuer",
                        issuerName,
                        "effect",
                        "allow",
                        "conditions",
                        List.of(condition("ref", "equals", "x")),
                        "targets",
                        List.of("https://x"),
                        "acknowledged",
                        List.of(Map.of("code", "unbound-identity"))));
        assertThat(badAck.status()).isEqualTo(400);
        assertThat(badAck.json().get("field").stringValue()).isEqualTo("acknowledged[0].reason");

        // A rule stored before the guardrail (as after an upgrade): it keeps deciding, and is reported.
        jdbc.update("update trust_rule set acknowledged = null where name = ?", name);
        Response token = exchange(ci.github().sign(), "https://unpinned.example.com");
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        Response listed = admin("GET", "/admin/v1/rules?warnings=refused&issuer=" + issuerName, null);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json()).hasSize(1);
        assertThat(listed.json().get(0).get("name").stringValue()).isEqualTo(name);
        assertThat(listed.json().get(0).get("refused").get(0).stringValue()).isEqualTo("unbound-identity");
        assertThat(report.count()).isGreaterThanOrEqualTo(1);
        assertThat(admin("POST", "/admin/v1/import", Map.of("issuers", List.of(), "rules", List.of(unpinned)))
                        .json()
                        .get("unchanged")
                        .toString())
                .as("an import that leaves it as it is changes nothing and refuses nothing")
                .contains("rule/" + name);
        assertThat(admin("PUT", "/admin/v1/rules/" + name, unpinned).status())
                .as("but a write of it as it is is refused")
                .isEqualTo(400);
        assertThat(admin("GET", "/admin/v1/rules?warnings=everything", null).status())
                .isEqualTo(400);
    }

    @Test
    void malformedTemplatesAndTemplatedDenyRulesAreInvalid() {
        Response unclosed = admin(
                "POST",
                "/admin/v1/rules",
                rule(
                        unique("tpl-bad"),
                        issuerName,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(NS + "${repository_id"),
                        List.of()));
        assertThat(unclosed.status()).isEqualTo(400);
        assertThat(unclosed.json().get("field").stringValue()).isEqualTo("targets[0]");
        Response deny = admin(
                "POST",
                "/admin/v1/rules",
                rule(
                        unique("tpl-deny"),
                        issuerName,
                        "deny",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(NS + "${repository_id}"),
                        List.of()));
        assertThat(deny.status()).isEqualTo(400);
        assertThat(deny.json().get("field").stringValue()).isEqualTo("targets[0]");
    }
}
