package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** {@code /admin/v1/issuers} and {@code /admin/v1/rules} over HTTP: CRUD, presets, validation, auth. */
class AdminApiTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer issuer = new TestIssuer();

    @Test
    void githubPresetFillsIssuerUrlClaimMappingsAndDefaults() {
        String name = unique("preset");
        JsonNode created = create(
                "issuers",
                Map.of(
                        "name",
                        name,
                        "type",
                        "github",
                        "issuerUrl",
                        "https://token.actions.githubusercontent.com/" + name));

        assertThat(created.get("issuerUrl").stringValue())
                .isEqualTo("https://token.actions.githubusercontent.com/" + name);
        assertThat(created.get("algorithms").toString()).isEqualTo("[\"RS256\"]");
        assertThat(created.get("acceptedAudiences").get(0).stringValue()).isEqualTo(ferryIssuer);
        assertThat(created.get("clockSkewSeconds").asInt()).isEqualTo(60);
        assertThat(created.get("claimMappings").has("repository_owner_id")).isTrue();
        assertThat(created.get("enabled").asBoolean()).isTrue();
        assertThat(admin("GET", "/admin/v1/issuers/" + name, null).json()).isEqualTo(created);
        assertThat(admin("DELETE", "/admin/v1/issuers/" + name, null).status()).isEqualTo(204);
        assertThat(admin("GET", "/admin/v1/issuers/" + name, null).status()).isEqualTo(404);
    }

    @Test
    void gitlabPresetUsesGitlabDotCom() {
        String name = unique("gitlab");
        Map<String, Object> body = Map.of("name", name, "type", "gitlab");
        Response first = admin("POST", "/admin/v1/issuers", body);
        if (first.status() == 409) {
            return; // another test class already trusts gitlab.com; the preset is checked there
        }
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.json().get("issuerUrl").stringValue()).isEqualTo("https://gitlab.com");
        assertThat(first.json().get("claimMappings").has("namespace_id")).isTrue();
        admin("DELETE", "/admin/v1/issuers/" + name, null);
    }

    @Test
    void ruleLifecycleAndChangesApplyToTheNextExchange() {
        String issuerName = unique("lifecycle");
        create("issuers", issuerFor(issuerName, issuer.url(), TestIssuer.DEFAULT_AUDIENCE));
        String ruleName = unique("rule");
        String target = "https://" + ruleName + ".example.com";
        Map<String, Object> rule = rule(
                ruleName,
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", "1")),
                List.of(target),
                List.of("deploy"));
        JsonNode created = create("rules", rule);
        assertThat(created.get("version").asLong()).isZero();
        assertThat(created.get("enabled").asBoolean()).isTrue();
        assertThat(exchange(issuer.github().sign(), target).status()).isEqualTo(400);

        rule.put("conditions", List.of(condition("repository_owner_id", "equals", "4242")));
        Response updated = admin("PUT", "/admin/v1/rules/" + ruleName, rule);
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().get("version").asLong()).isEqualTo(1);
        assertThat(exchange(issuer.github().sign(), target).status()).isEqualTo(200);

        Response conflict = admin("DELETE", "/admin/v1/issuers/" + issuerName, null);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.header("Content-Type")).startsWith("application/problem+json");

        assertThat(admin("DELETE", "/admin/v1/rules/" + ruleName, null).status())
                .isEqualTo(204);
        assertThat(exchange(issuer.github().sign(), target).status()).isEqualTo(400);
        assertThat(admin("DELETE", "/admin/v1/issuers/" + issuerName, null).status())
                .isEqualTo(204);
    }

    @Test
    void invalidWriteLeavesStoredRuleUnchanged() {
        String issuerName = unique("unchanged");
        create("issuers", issuerFor(issuerName, issuer.url() + "/" + issuerName, TestIssuer.DEFAULT_AUDIENCE));
        String ruleName = unique("keep");
        Map<String, Object> rule = rule(
                ruleName,
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", "1")),
                List.of("https://t.example.com"),
                List.of());
        JsonNode before = create("rules", rule);

        rule.put("conditions", List.of(condition("ref", "regex", "(unclosed")));
        Response refused = admin("PUT", "/admin/v1/rules/" + ruleName, rule);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("field").stringValue()).isEqualTo("conditions[0].value");
        assertThat(admin("GET", "/admin/v1/rules/" + ruleName, null).json()).isEqualTo(before);
    }

    static List<Arguments> invalidIssuers() {
        return List.of(
                Arguments.of("name not a slug", Map.of("name", "Not_A_Slug", "type", "github"), "name"),
                Arguments.of("oidc without url", Map.of("name", "x-oidc", "type", "oidc"), "issuerUrl"),
                Arguments.of(
                        "relative url", Map.of("name", "x-rel", "type", "oidc", "issuerUrl", "/relative"), "issuerUrl"),
                Arguments.of("unknown type", Map.of("name", "x-type", "type", "bitbucket"), "type"),
                Arguments.of(
                        "symmetric algorithm",
                        Map.of("name", "x-alg", "type", "github", "algorithms", List.of("HS256")),
                        "algorithms"),
                Arguments.of(
                        "no audiences",
                        Map.of("name", "x-aud", "type", "github", "acceptedAudiences", List.of()),
                        "acceptedAudiences"),
                Arguments.of(
                        "skew too large",
                        Map.of("name", "x-skew", "type", "github", "clockSkewSeconds", 3600),
                        "clockSkewSeconds"),
                Arguments.of(
                        "reserved mapping",
                        Map.of("name", "x-map", "type", "github", "claimMappings", Map.of("sub", "repository")),
                        "claimMappings.sub"),
                Arguments.of(
                        "RFC 9068 authorization claim as mapping",
                        Map.of(
                                "name",
                                "x-map-groups",
                                "type",
                                "github",
                                "claimMappings",
                                Map.of("groups", "repository")),
                        "claimMappings.groups"),
                Arguments.of(
                        "scp as mapping",
                        Map.of("name", "x-map-scp", "type", "github", "claimMappings", Map.of("scp", "repository")),
                        "claimMappings.scp"),
                Arguments.of(
                        "confirmation as mapping",
                        Map.of("name", "x-map-cnf", "type", "github", "claimMappings", Map.of("cnf", "repository")),
                        "claimMappings.cnf"),
                Arguments.of(
                        "OpenID session claim as mapping",
                        Map.of("name", "x-map-acr", "type", "github", "claimMappings", Map.of("acr", "repository")),
                        "claimMappings.acr"),
                Arguments.of(
                        "introspection member as mapping",
                        Map.of(
                                "name",
                                "x-map-active",
                                "type",
                                "github",
                                "claimMappings",
                                Map.of("active", "repository")),
                        "claimMappings.active"),
                Arguments.of(
                        "private jwks",
                        Map.of(
                                "name",
                                "x-jwks",
                                "type",
                                "oidc",
                                "issuerUrl",
                                "https://i.example.com",
                                "jwks",
                                Map.of("keys", List.of(TestIssuer.newKey().toJSONObject()))),
                        "jwks"),
                Arguments.of(
                        "jwks not an object",
                        Map.of(
                                "name",
                                "x-jwks-array",
                                "type",
                                "oidc",
                                "issuerUrl",
                                "https://i.example.com",
                                "jwks",
                                List.of()),
                        "jwks"),
                Arguments.of(
                        "jwks without keys",
                        Map.of(
                                "name",
                                "x-jwks-empty",
                                "type",
                                "oidc",
                                "issuerUrl",
                                "https://i.example.com",
                                "jwks",
                                Map.of("keys", "none")),
                        "jwks"),
                Arguments.of(
                        "url too long",
                        Map.of(
                                "name",
                                "x-long",
                                "type",
                                "oidc",
                                "issuerUrl",
                                "https://i.example.com/" + "a".repeat(3000)),
                        "issuerUrl"),
                Arguments.of(
                        "unknown field",
                        Map.of("name", "x-unknown", "type", "github", "acceptedAudience", List.of("a")),
                        "acceptedAudience"),
                Arguments.of(
                        "wrong type",
                        Map.of("name", "x-wrong", "type", "github", "replayProtection", "maybe"),
                        "replayProtection"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidIssuers")
    void invalidIssuerIsRefusedNamingTheField(String description, Map<String, Object> body, String field) {
        Response response = admin("POST", "/admin/v1/issuers", body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("field").stringValue()).isEqualTo(field);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("dev.ferry");
    }

    static List<Arguments> invalidRules() {
        Map<String, Object> equalsCondition = condition("repository_owner_id", "equals", "1");
        return List.of(
                Arguments.of("no conditions", Map.of("conditions", List.of()), "conditions"),
                Arguments.of("allow without targets", Map.of("targets", List.of()), "targets"),
                Arguments.of(
                        "unknown operator",
                        Map.of("conditions", List.of(Map.of("claim", "a", "operator", "like", "value", "x"))),
                        "conditions[0].operator"),
                Arguments.of(
                        "in without values",
                        Map.of("conditions", List.of(Map.of("claim", "a", "operator", "in", "value", "x"))),
                        "conditions[0].values"),
                Arguments.of(
                        "bad regex",
                        Map.of("conditions", List.of(condition("a", "regex", "a(b"))),
                        "conditions[0].value"),
                Arguments.of(
                        "backreference regex",
                        Map.of("conditions", List.of(condition("a", "regex", "(a)\\1"))),
                        "conditions[0].value"),
                Arguments.of("ttl too long", Map.of("ttlSeconds", 86_400), "ttlSeconds"),
                Arguments.of("bad scope", Map.of("scopes", List.of("has space")), "scopes"),
                Arguments.of("unknown issuer", Map.of("issuer", "no-such-issuer"), "issuer"),
                Arguments.of("bad effect", Map.of("effect", "maybe"), "effect"),
                Arguments.of("missing effect", new LinkedHashMap<>(Map.of("effect", "")), "effect"),
                Arguments.of("name not a slug", Map.of("name", "UPPER"), "name"),
                Arguments.of(
                        "exists with value",
                        Map.of("conditions", List.of(condition("a", "exists", "x"))),
                        "conditions[0]"),
                Arguments.of(
                        "control character in claim",
                        Map.of("conditions", List.of(condition("a\u0000", "equals", "x"))),
                        "conditions[0].claim"),
                Arguments.of("control character in description", Map.of("description", "bell\u0007"), "description"),
                Arguments.of(
                        "valid baseline changed by nothing else",
                        Map.of(
                                "conditions",
                                List.of(equalsCondition, Map.of("claim", "", "operator", "equals", "value", "x"))),
                        "conditions[1].claim"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRules")
    void invalidRuleIsRefusedNamingTheField(String description, Map<String, Object> change, String field) {
        String issuerName = unique("rules-validation");
        create("issuers", issuerFor(issuerName, issuer.url() + "/" + issuerName, TestIssuer.DEFAULT_AUDIENCE));
        Map<String, Object> body = rule(
                unique("invalid"),
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", "1")),
                List.of("https://t.example.com"),
                List.of("deploy"));
        body.putAll(change);
        if ("".equals(body.get("effect"))) {
            body.remove("effect");
        }

        Response response = admin("POST", "/admin/v1/rules", body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("field").stringValue()).isEqualTo(field);
        assertThat(response.json().get("type").stringValue()).startsWith("urn:ferry:problem:");
    }

    @Test
    void withoutBearerTokenOrWithWrongTokenThen401() {
        HttpRequest noToken = HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/issuers"))
                .GET()
                .build();
        assertThat(send(noToken).status()).isEqualTo(401);

        HttpRequest wrong = HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/issuers"))
                .header("Authorization", "Bearer not-the-bootstrap-token")
                .GET()
                .build();
        Response response = send(wrong);
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void getResponseCanBeSentBackWithPut() {
        String name = unique("roundtrip");
        create("issuers", issuerFor(name, issuer.url() + "/" + name, TestIssuer.DEFAULT_AUDIENCE));
        JsonNode stored = admin("GET", "/admin/v1/issuers/" + name, null).json();

        Response replaced = admin("PUT", "/admin/v1/issuers/" + name, stored.toString());

        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("version").asLong())
                .isEqualTo(stored.get("version").asLong() + 1);
    }

    @Test
    void unknownFieldIsNamedAsUnknown() {
        Response response = admin(
                "POST",
                "/admin/v1/issuers",
                Map.of("name", "x-typo", "type", "github", "acceptedAudience", List.of("a")));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("detail").stringValue()).isEqualTo("field 'acceptedAudience' is not known");
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "issuers|null",
                "issuers|[]",
                "issuers|{}",
                "issuers|\"text\"",
                "issuers|{\"name\":\"x-n\",\"claimMappings\":{\"a\":null}}",
                "issuers|{\"name\":\"x-n2\",\"acceptedAudiences\":[null]}",
                "rules|null",
                "rules|[]",
                "rules|{}",
                "rules|{\"name\":\"x\",\"conditions\":[null]}",
                "rules|{\"name\":\"x\",\"targets\":[null]}"
            })
    void oddBodiesAreProblemsNeverServerErrors(String collection, String body) {
        Response response = admin("POST", "/admin/v1/" + collection, body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "\"effect\": \"deny\"",
                "\"ttlSeconds\": 600.5",
                "\"ttlSeconds\": \"600\"",
                "\"enabled\": \"true\"",
                "\"enabled\": 1"
            })
    void aMemberGivenTwiceOrOfTheWrongTypeIsRefusedNotResolvedOrConverted(String anomaly) {
        String issuerName = unique("strict");
        create("issuers", issuerFor(issuerName, issuer.url() + "/" + issuerName, TestIssuer.DEFAULT_AUDIENCE));
        String rule = "{\"name\": \"%s\", \"issuer\": \"" + issuerName + "\", \"effect\": \"allow\","
                + " \"conditions\": [{\"claim\": \"repository_owner_id\", \"operator\": \"equals\", \"value\": \"4242\"}],"
                + " \"targets\": [\"https://strict.example.com\"]%s}";
        String name = unique("strict-rule");

        // "effect" is in the template already: given again, it is a member given twice.
        Response refused = admin("POST", "/admin/v1/rules", rule.formatted(name, ", " + anomaly));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).status())
                .as("nothing stored")
                .isEqualTo(404);
        Response accepted = admin("POST", "/admin/v1/rules", rule.formatted(name, ""));
        assertThat(accepted.status())
                .as("the same rule without it: %s", accepted.body())
                .isEqualTo(201);
    }

    @Test
    void aUrlTheFirewallOrTomcatRefusesIsAProblemInTheEndpointsFormat() {
        // The first three Spring Security's firewall refuses, the last three Tomcat itself (an encoded
        // slash, a NUL, a backslash), before any of Ferry's code: problem details all the same, not HTML.
        for (String path : List.of(
                "/admin/v1/rules;x=1",
                "/admin/v1/rules/%2E%2E",
                "/admin/v1/rules/a%0Ab",
                "/admin/v1/rules/x%2Fy",
                "/admin/v1/rules/a%00b",
                "/admin/v1/rules/a%5Cb")) {
            Response refused = admin("GET", path, null);
            assertThat(refused.status()).as(path).isEqualTo(400);
            assertThat(refused.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(refused.json().get("type").stringValue()).isEqualTo("urn:ferry:problem:malformed-request");
        }
        Response token = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/token;x=1"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=x"))
                .build());
        assertThat(token.status()).isEqualTo(400);
        assertThat(token.header("Content-Type")).isEqualTo("application/json");
        assertThat(token.json().get("error").stringValue()).isEqualTo("invalid_request");
    }

    @Test
    void unauthorizedAnswerPointsAtProtectedResourceMetadataThatExists() {
        Response unauthorized = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/rules"))
                .GET()
                .build());
        String header = unauthorized.header("WWW-Authenticate");
        String metadataUrl = header.replaceFirst(".*resource_metadata=\"([^\"]+)\".*", "$1");

        Response metadata =
                send(HttpRequest.newBuilder(URI.create(metadataUrl)).GET().build());

        assertThat(metadata.status()).isEqualTo(200);
        assertThat(metadata.json().get("authorization_servers").get(0).stringValue())
                .isEqualTo(ferryIssuer);
        assertThat(metadata.json().get("resource").stringValue())
                .as("the audience admin tokens must carry")
                .isEqualTo(ferryIssuer + "/admin");
        assertThat(metadata.json().get("scopes_supported").toString()).contains("ferry:admin", "ferry:read");
        assertThat(metadata.json().has("tls_client_certificate_bound_access_tokens")
                        && metadata.json()
                                .get("tls_client_certificate_bound_access_tokens")
                                .asBoolean())
                .isFalse();
    }

    @Test
    void ruleResponsesCarryLinterWarningsAndLintEndpointListsThem() {
        String issuerName = unique("lint");
        create("issuers", issuerFor(issuerName, issuer.url() + "/" + issuerName, TestIssuer.DEFAULT_AUDIENCE));
        String loose = unique("loose");
        JsonNode created = create(
                "rules",
                rule(
                        loose,
                        issuerName,
                        "allow",
                        List.of(condition("sub", "glob", "repo:acme/app*")),
                        List.of("https://lint.example.com"),
                        List.of()));

        assertThat(created.get("warnings").toString()).contains("github-not-pinned-to-id", "glob-prefix-mid-segment");
        JsonNode lint = admin("GET", "/admin/v1/rules/" + loose + "/lint", null).json();
        assertThat(lint).isEqualTo(created.get("warnings"));
        JsonNode first = lint.get(0);
        assertThat(first.has("code") && first.has("message") && first.has("suggestedFix"))
                .isTrue();

        String pinned = unique("pinned");
        JsonNode clean = create(
                "rules",
                rule(
                        pinned,
                        issuerName,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                        condition("repository_id", "equals", "123456"),
                                condition("ref", "equals", "refs/heads/main"),
                                        condition("event_name", "equals", "push")),
                        List.of("https://lint.example.com"),
                        List.of()));
        assertThat(clean.get("warnings")).isEmpty();
    }

    @Test
    void malformedJsonIsAProblemNotAStackTrace() {
        Response response = admin("POST", "/admin/v1/rules", "{\"name\": ");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("type").stringValue()).isEqualTo("urn:ferry:problem:malformed-body");
        assertThat(response.body()).doesNotContain("Exception");
    }
}
