package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.ferry.testing.TestIssuer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /admin/v1/evaluate} explains what {@code POST /token} does: on the same inputs both must
 * reach the same answer (error code, scopes, lifetime, claims), because they share one code path.
 */
class EvaluateTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://evaluate.example.com";
    private static final String OTHER = "https://evaluate-other.example.com";
    private static boolean configured;
    private static String issuerName;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        issuerName = unique("eval");
        Map<String, Object> issuer = issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE);
        issuer.put("replayProtection", true);
        create("issuers", issuer);
        Map<String, Object> deploy = rule(
                unique("eval-deploy"),
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", "4242")),
                List.of(TARGET),
                List.of("deploy", "read"));
        deploy.put("ttlSeconds", 900);
        create("rules", deploy);
        Map<String, Object> read = rule(
                unique("eval-read"),
                issuerName,
                "allow",
                List.of(
                        condition("repository_owner_id", "equals", "4242"),
                        condition("ref", "equals", "refs/heads/main")),
                List.of(TARGET),
                List.of("read"));
        read.put("ttlSeconds", 300);
        create("rules", read);
        create(
                "rules",
                rule(
                        unique("eval-other"),
                        issuerName,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/release")),
                        List.of(OTHER),
                        List.of()));
        create(
                "rules",
                rule(
                        unique("eval-deny"),
                        issuerName,
                        "deny",
                        List.of(condition("environment", "equals", "forbidden")),
                        List.of(),
                        List.of()));
        configured = true;
    }

    static List<Arguments> cases() {
        Function<TestIssuer, String> main = i -> i.github().sign();
        return List.of(
                Arguments.of("all granted scopes", main, TARGET, null),
                Arguments.of("read only: smallest ttl of rules granting it", main, TARGET, "read"),
                Arguments.of("deploy only", main, TARGET, "deploy"),
                Arguments.of("scope not granted", main, TARGET, "admin"),
                Arguments.of("target not granted", main, OTHER, null),
                Arguments.of(
                        "no rule",
                        (Function<TestIssuer, String>) i ->
                                i.github().claim("repository_owner_id", "1").sign(),
                        TARGET,
                        null),
                Arguments.of(
                        "deny rule",
                        (Function<TestIssuer, String>) i ->
                                i.github().claim("environment", "forbidden").sign(),
                        TARGET,
                        null),
                Arguments.of(
                        "wrong audience",
                        (Function<TestIssuer, String>)
                                i -> i.github().audience("nope").sign(),
                        TARGET,
                        null),
                Arguments.of(
                        "bad signature",
                        (Function<TestIssuer, String>) i -> i.github()
                                .signWith(TestIssuer.newKey())
                                .keyId(i.currentKey().getKeyID())
                                .sign(),
                        TARGET,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluateAgreesWithTokenEndpoint(String name, Function<TestIssuer, String> token, String audience, String scope)
            throws Exception {
        String subjectToken = token.apply(ci);
        Map<String, Object> evaluateBody = new LinkedHashMap<>(Map.of("token", subjectToken, "audience", audience));
        if (scope != null) {
            evaluateBody.put("scope", scope);
        }
        JsonNode evaluation = evaluate(evaluateBody);

        Map<String, String> form = new LinkedHashMap<>(Map.of(
                "grant_type",
                GRANT_TYPE,
                "subject_token",
                subjectToken,
                "subject_token_type",
                ID_TOKEN_TYPE,
                "audience",
                audience));
        if (scope != null) {
            form.put("scope", scope);
        }
        Response exchanged = postForm(form);

        if (exchanged.status() == 200) {
            assertThat(evaluation.get("decision").stringValue()).isEqualTo("allow");
            JsonNode body = exchanged.json();
            assertThat(String.join(" ", JSON.convertValue(evaluation.get("scopes"), String[].class)))
                    .isEqualTo(body.get("scope").stringValue());
            assertThat(evaluation.get("lifetimeSeconds").asLong())
                    .isEqualTo(body.get("expires_in").asLong());
            Map<String, Object> issued = SignedJWT.parse(
                            body.get("access_token").stringValue())
                    .getJWTClaimsSet()
                    .toJSONObject();
            Map<String, Object> preview = JSON.convertValue(evaluation.get("issuedClaims"), Map.class);
            for (String timeDependent : List.of("jti", "iat", "nbf", "exp")) {
                issued.remove(timeDependent);
                preview.remove(timeDependent);
            }
            JsonNode previewed = JSON.valueToTree(preview);
            JsonNode signed = JSON.valueToTree(issued);
            assertThat(previewed).isEqualTo(signed);
        } else {
            assertThat(evaluation.get("decision").stringValue()).isEqualTo("deny");
            assertThat(evaluation.get("error").stringValue())
                    .isEqualTo(exchanged.json().get("error").stringValue());
            assertThat(evaluation.get("status").asInt()).isEqualTo(exchanged.status());
            assertThat(evaluation.get("errorDescription").stringValue())
                    .isEqualTo(exchanged.json().get("error_description").stringValue());
        }
        String exchangeId = exchanged.status() == 200
                ? exchanged.header("Ferry-Exchange-Id")
                : exchanged.json().get("exchange_id").stringValue();
        flushAudit();
        JsonNode again = evaluate(Map.of("exchangeId", exchangeId));
        assertThat(again.get("decision").stringValue())
                .as("the audited exchange, explained again from its audited claims")
                .isEqualTo(evaluation.get("decision").stringValue());
        assertThat(again.path("error").asString())
                .isEqualTo(evaluation.path("error").asString());
        assertThat(again.get("audited").get("outcome").stringValue())
                .isEqualTo(exchanged.status() == 200 ? "issued" : "refused");
        assertThat(again.get("audited").get("target").stringValue()).isEqualTo(audience);
        if (evaluation.get("tokenValidation").get("valid").asBoolean()) {
            assertThat(again.get("rules")).as("every rule, traced").isEqualTo(evaluation.get("rules"));
            assertThat(again.get("tokenValidation").get("performed").asBoolean())
                    .isFalse();
        }
    }

    @Test
    void anAuditedRefusalIsExplainedConditionByConditionFromItsExchangeId() {
        Response refused =
                exchange(ci.github().claim("repository_owner_id", "666").sign(), TARGET);
        String exchangeId = refused.json().get("exchange_id").stringValue();
        flushAudit();

        JsonNode evaluation = evaluate(Map.of("exchangeId", exchangeId));

        assertThat(evaluation.get("decision").stringValue()).isEqualTo("deny");
        assertThat(evaluation.get("error").stringValue()).isEqualTo("invalid_request");
        JsonNode deploy = null;
        for (JsonNode rule : evaluation.get("rules")) {
            if (rule.get("rule").stringValue().startsWith("eval-deploy")) {
                deploy = rule;
            }
        }
        assertThat(deploy).as("the deploy rule is explained").isNotNull();
        JsonNode owner = deploy.get("conditions").get(0);
        assertThat(owner.get("expected").stringValue()).isEqualTo("4242");
        assertThat(owner.get("actual").get(0).stringValue()).isEqualTo("666");
        assertThat(owner.get("holds").asBoolean()).isFalse();
        assertThat(evaluation.get("audited").get("exchangeId").stringValue()).isEqualTo(exchangeId);
    }

    @Test
    void evaluateByExchangeIdTakesTheIdAloneAndAnswers404ForAnUnknownOne() {
        Response refused =
                exchange(ci.github().claim("repository_owner_id", "666").sign(), TARGET);
        String exchangeId = refused.json().get("exchange_id").stringValue();
        flushAudit();

        Response withTarget = admin("POST", "/admin/v1/evaluate", Map.of("exchangeId", exchangeId, "audience", TARGET));
        assertThat(withTarget.status()).isEqualTo(400);
        assertThat(withTarget.json().get("field").stringValue()).isEqualTo("exchangeId");
        Response unknown = admin("POST", "/admin/v1/evaluate", Map.of("exchangeId", "no-such-exchange"));
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void everyRuleOfTheIssuerIsExplainedWithExpectedAndActualValues() {
        JsonNode evaluation = evaluate(Map.of("token", ci.github().sign(), "audience", OTHER));

        assertThat(evaluation.get("error").stringValue()).isEqualTo("invalid_target");
        assertThat(evaluation.get("rules")).hasSize(4);
        JsonNode other = null;
        for (JsonNode rule : evaluation.get("rules")) {
            if (rule.get("rule").stringValue().startsWith("eval-other")) {
                other = rule;
            }
        }
        assertThat(other).isNotNull();
        JsonNode ref = other.get("conditions").get(1);
        assertThat(ref.get("claim").stringValue()).isEqualTo("ref");
        assertThat(ref.get("expected").stringValue()).isEqualTo("refs/heads/release");
        assertThat(ref.get("actual").get(0).stringValue()).isEqualTo("refs/heads/main");
        assertThat(ref.get("holds").asBoolean()).isFalse();
    }

    @Test
    void atReplaysAPastValidation() {
        Instant issued = Instant.now().minusSeconds(3600);
        String expired = ci.github()
                .issuedAt(issued)
                .notBefore(issued)
                .expiresAt(issued.plusSeconds(300))
                .sign();

        JsonNode now = evaluate(Map.of("token", expired, "audience", TARGET));
        assertThat(now.get("tokenValidation").get("valid").asBoolean()).isFalse();
        assertThat(now.get("tokenValidation").get("reason").stringValue()).isEqualTo("EXPIRED");

        JsonNode then = evaluate(Map.of(
                "token",
                expired,
                "audience",
                TARGET,
                "at",
                issued.plusSeconds(60).toString()));
        assertThat(then.get("decision").stringValue()).isEqualTo("allow");
        assertThat(then.get("tokenValidation").get("valid").asBoolean()).isTrue();
    }

    @Test
    void claimsCanBeEvaluatedWithoutAToken() {
        Map<String, Object> claims = Map.of(
                "sub",
                "repo:acme/app:ref:refs/heads/main",
                "repository_owner_id",
                "4242",
                "ref",
                "refs/heads/main",
                "repository",
                "acme/app");
        JsonNode evaluation = evaluate(Map.of("issuer", issuerName, "claims", claims, "audience", TARGET));

        assertThat(evaluation.get("decision").stringValue()).isEqualTo("allow");
        assertThat(evaluation.get("tokenValidation").get("performed").asBoolean())
                .isFalse();
        assertThat(evaluation.get("issuedClaims").get("repository").stringValue())
                .isEqualTo("acme/app");
        assertThat(evaluation.get("issuedClaims").get("sub").stringValue())
                .isEqualTo(issuerName + ":repo:acme/app:ref:refs/heads/main");
    }

    @Test
    void claimsThatTokenWouldRefuseAreDeniedToo() {
        // /token requires sub as a non-empty string; a dry run with claims must not allow without it.
        for (Object sub : List.of("", 123)) {
            Map<String, Object> claims = Map.of("sub", sub, "repository_owner_id", "4242", "ref", "refs/heads/main");
            JsonNode evaluation = evaluate(Map.of("issuer", issuerName, "claims", claims, "audience", TARGET));
            assertThat(evaluation.get("decision").stringValue())
                    .as("sub %s", sub)
                    .isEqualTo("deny");
            assertThat(evaluation.get("tokenValidation").get("reason").stringValue())
                    .isEqualTo("INVALID_CLAIM");
            assertThat(evaluation.get("tokenValidation").get("performed").asBoolean())
                    .isFalse();
        }
        JsonNode noSub = evaluate(
                Map.of("issuer", issuerName, "claims", Map.of("repository_owner_id", "4242"), "audience", TARGET));
        assertThat(noSub.get("decision").stringValue()).isEqualTo("deny");

        Map<String, Object> disabled = issuerFor(unique("gh-eval-disabled"), "https://disabled.example.com", "ferry");
        disabled.put("enabled", false);
        create("issuers", disabled);
        create(
                "rules",
                rule(
                        unique("allow-disabled"),
                        (String) disabled.get("name"),
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of()));
        JsonNode evaluation = evaluate(Map.of(
                "issuer",
                disabled.get("name"),
                "claims",
                Map.of("sub", "repo:acme/app", "repository_owner_id", "4242"),
                "audience",
                TARGET));
        assertThat(evaluation.get("decision").stringValue()).isEqualTo("deny");
        assertThat(evaluation.get("tokenValidation").get("reason").stringValue())
                .isEqualTo("DISABLED_ISSUER");
    }

    @Test
    void dryRunDoesNotUseUpTheJti() {
        String token = ci.github().sign();

        assertThat(evaluate(Map.of("token", token, "audience", TARGET))
                        .get("decision")
                        .stringValue())
                .isEqualTo("allow");
        assertThat(exchange(token, TARGET).status()).isEqualTo(200);
        assertThat(exchange(token, TARGET).status()).isEqualTo(400);
    }

    @Test
    void badRequestsAreProblems() {
        assertThat(admin("POST", "/admin/v1/evaluate", Map.of("audience", TARGET))
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("token");
        assertThat(admin("POST", "/admin/v1/evaluate", Map.of("token", "x", "claims", Map.of(), "audience", TARGET))
                        .status())
                .isEqualTo(400);
        assertThat(admin(
                                "POST",
                                "/admin/v1/evaluate",
                                Map.of("token", ci.github().sign()))
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("audience");
        assertThat(admin("POST", "/admin/v1/evaluate", Map.of("issuer", "nope", "claims", Map.of(), "audience", TARGET))
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("issuer");
        assertThat(admin(
                                "POST",
                                "/admin/v1/evaluate",
                                Map.of("token", ci.github().sign(), "audience", TARGET, "scope", "a  b"))
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("scope");
        assertThat(admin(
                                "POST",
                                "/admin/v1/evaluate",
                                Map.of("token", ci.github().sign(), "audience", TARGET, "at", "yesterday"))
                        .status())
                .isEqualTo(400);
    }

    private JsonNode evaluate(Map<String, Object> body) {
        Response response = admin("POST", "/admin/v1/evaluate", body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
