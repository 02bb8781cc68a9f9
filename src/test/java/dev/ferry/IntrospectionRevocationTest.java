package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.testing.TestIssuer;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.security.oauth2.server.resource.introspection.SpringOpaqueTokenIntrospector;
import tools.jackson.databind.JsonNode;

/**
 * Introspection (RFC 7662) and revocation (RFC 7009), checked with a real gateway-side validator:
 * Spring Security's opaque-token introspector, as a resource server using introspection runs it.
 */
class IntrospectionRevocationTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://introspected.example.com";
    private static boolean configured;
    private static String issuerName;
    private static String ruleName;
    private static String clientId;
    private static String clientSecret;

    @Autowired
    TokenMinter minter;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        issuerName = unique("intro");
        create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        // As long as a rule name may be (64), so a revocation by rule records the longest reason.
        String base = unique("intro-rule");
        ruleName = base + "-" + "r".repeat(64 - base.length() - 1);
        create(
                "rules",
                rule(
                        ruleName,
                        issuerName,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy", "read")));
        JsonNode client = create("clients", Map.of("id", unique("envoy"), "description", "test gateway"));
        clientId = client.get("id").stringValue();
        clientSecret = client.get("secret").stringValue();
        configured = true;
    }

    private String token(String subject) {
        Response response = exchange(ci.github().subject(subject).sign(), TARGET);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("access_token").stringValue();
    }

    private Response introspect(String token, String id, String secret) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token));
        if (id != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return send(request.build());
    }

    private boolean active(String token) {
        Response response = introspect(token, clientId, clientSecret);
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("active").asBoolean();
    }

    private Response revoke(String token) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/revoke"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                .build());
    }

    private OpaqueTokenIntrospector gateway() {
        return SpringOpaqueTokenIntrospector.withIntrospectionUri(baseUrl() + "/introspect")
                .clientId(clientId)
                .clientSecret(clientSecret)
                .build();
    }

    @Test
    void activeTokenAnswerCarriesItsClaims() {
        JsonNode answer = introspect(token("repo:acme/app:ref:refs/heads/main"), clientId, clientSecret)
                .json();

        assertThat(answer.get("active").asBoolean()).isTrue();
        assertThat(answer.get("scope").stringValue()).isEqualTo("deploy read");
        assertThat(answer.get("client_id").stringValue()).isEqualTo(issuerName);
        assertThat(answer.get("sub").stringValue()).isEqualTo(issuerName + ":repo:acme/app:ref:refs/heads/main");
        assertThat(answer.get("iss").stringValue()).isEqualTo(ferryIssuer);
        assertThat(answer.get("exp").isNumber()).isTrue();
        assertThat(answer.get("token_type").stringValue()).isEqualTo("Bearer");
    }

    @Test
    void expiredForeignAndGarbledTokensAreInactive() {
        String expired = minter.mint(new MintRequest(
                        issuerName, ci.url(), "s", null, TARGET, List.of("deploy"), Duration.ofMinutes(-5), Map.of()))
                .accessToken();
        assertThat(introspect(expired, clientId, clientSecret).json()).isEqualTo(JSON.readTree("{\"active\":false}"));
        String justExpired = minter.mint(new MintRequest(
                        issuerName, ci.url(), "s", null, TARGET, List.of("deploy"), Duration.ofSeconds(-2), Map.of()))
                .accessToken();
        assertThat(active(justExpired))
                .as("expired 2 s ago: no clock skew on exp, Ferry's own clock decides")
                .isFalse();
        assertThat(active(ci.github().sign())).as("a token Ferry did not issue").isFalse();
        assertThat(active("garbage")).isFalse();
        Response noToken = introspect("", clientId, clientSecret);
        assertThat(noToken.status()).as("the token parameter is required").isEqualTo(400);
        assertThat(noToken.json().get("error").stringValue()).isEqualTo("invalid_request");
    }

    @Test
    void aTokenInTheQueryStringIsRefusedByIntrospectionAndRevokedByRevocation() {
        String token = token("repo:acme/app:ref:refs/heads/main");
        Response introspection = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/introspect?token=" + token))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(introspection.status()).as(introspection.body()).isEqualTo(400);
        assertThat(introspection.header("Cache-Control")).isEqualTo("no-store");
        assertThat(introspection.json().get("error").stringValue()).isEqualTo("invalid_request");
        assertThat(active(token)).isTrue();

        // Another query parameter is no reason to refuse.
        Response withOtherQuery = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/introspect?trace=1"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                .build());
        assertThat(withOtherQuery.status()).as(withOtherQuery.body()).isEqualTo(200);

        // /revoke answers 200 whatever it is sent (RFC 7009 §2.2), and a token that travelled in a URL is best revoked.
        Response revocation = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/revoke?token=" + token))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(revocation.status()).isEqualTo(200);
        assertThat(active(token)).isFalse();
    }

    @Test
    void aFormBodyOverTheLimitIs413NotAServerError() {
        // server.tomcat.max-http-form-post-size is 64 KB.
        String body = "token=" + "a".repeat(70_000);
        Response introspection = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        Response revocation = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/revoke"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        for (Response refused : List.of(introspection, revocation)) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(413);
            assertThat(refused.header("Content-Type"))
                    .as("the OAuth endpoints' own format")
                    .isEqualTo("application/json");
            assertThat(refused.json().get("error").stringValue()).isEqualTo("invalid_request");
        }
    }

    @Test
    void callersMustAuthenticateAsRegisteredClients() {
        String token = token("repo:acme/app:ref:refs/heads/main");
        for (Response refused : List.of(
                introspect(token, null, null),
                introspect(token, clientId, "wrong"),
                introspect(token, "nobody", clientSecret))) {
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("WWW-Authenticate")).startsWith("Basic realm=\"ferry-introspection\"");
            assertThat(refused.json().get("error").stringValue())
                    .as("RFC 6749 5.2, as RFC 7662 2.3 asks")
                    .isEqualTo("invalid_client");
            assertThat(refused.body()).doesNotContain(token);
        }
        assertThat(introspect(token, clientId, clientSecret).status()).isEqualTo(200);
        assertThat(admin("GET", "/admin/v1/clients", null).body())
                .contains(clientId)
                .doesNotContain(clientSecret)
                .doesNotContain("secret_hash");
    }

    @Test
    void deletedClientStopsAtOnce() {
        JsonNode temporary = create("clients", Map.of("description", "short-lived"));
        String id = temporary.get("id").stringValue();
        String secret = temporary.get("secret").stringValue();
        String token = token("repo:acme/app:ref:refs/heads/main");
        assertThat(introspect(token, id, secret).status()).isEqualTo(200);

        assertThat(admin("DELETE", "/admin/v1/clients/" + id, null).status()).isEqualTo(204);
        assertThat(jdbc.queryForObject(
                        "select count(*) from audit_event where entity_type = 'client' and entity_name = ?",
                        Long.class,
                        id))
                .isEqualTo(2);

        assertThat(introspect(token, id, secret).status()).isEqualTo(401);
    }

    @Test
    void holderRevokesItsOwnTokenAndRevokeAlwaysAnswers200() {
        String token = token("repo:acme/app:ref:refs/heads/main");
        assertThat(active(token)).isTrue();

        assertThat(revoke(token).status()).isEqualTo(200);

        assertThat(active(token)).isFalse();
        assertThat(revoke(token).status()).isEqualTo(200);
        assertThat(revoke("garbage").status()).isEqualTo(200);
        assertThat(revoke("").status())
                .as("always 200 (RFC 7009 §2.2), even without a token")
                .isEqualTo(200);
        assertThat(revoke(ci.github().sign()).status()).isEqualTo(200);
    }

    @Test
    void operatorRevokesByTokenIdBySubjectAndByRule() throws Exception {
        String one = token("repo:acme/one:ref:refs/heads/main");
        JWTClaimsSet oneClaims = SignedJWT.parse(one).getJWTClaimsSet();
        String jti = oneClaims.getJWTID();
        assertThat(admin("POST", "/admin/v1/revocations", Map.of("tokenId", jti))
                        .status())
                .isEqualTo(200);
        assertThat(active(one)).isFalse();
        assertThat(jdbc.queryForObject("select expires_at from revoked_token where jti = ?", Timestamp.class, jti)
                        .toInstant())
                .as("kept until the token's exp, found in the audit log even right after the exchange")
                .isEqualTo(oneClaims.getExpirationTime().toInstant());

        String first = token("repo:acme/two:ref:refs/heads/main");
        String second = token("repo:acme/two:ref:refs/heads/main");
        String bystander = token("repo:acme/three:ref:refs/heads/main");
        Response bySubject = admin(
                "POST",
                "/admin/v1/revocations",
                Map.of("issuer", issuerName, "subject", "repo:acme/two:ref:refs/heads/main"));
        assertThat(bySubject.status()).as(bySubject.body()).isEqualTo(200);
        assertThat(active(first)).isFalse();
        assertThat(active(second)).isFalse();
        assertThat(active(bystander)).isTrue();

        Response byRule = admin("POST", "/admin/v1/revocations", Map.of("rule", ruleName));
        assertThat(byRule.status()).as(byRule.body()).isEqualTo(200);
        assertThat(byRule.json().get("revokedTokens").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(active(bystander)).isFalse();

        assertThat(jdbc.queryForObject(
                        "select count(*) from audit_event where action = 'revoke' and entity_name = ?",
                        Long.class,
                        ruleName))
                .as("admin revocations are audited")
                .isEqualTo(1);
        assertThat(admin("POST", "/admin/v1/revocations", Map.of()).status()).isEqualTo(400);
        assertThat(admin("POST", "/admin/v1/revocations", Map.of("rule", "x%")).status())
                .isEqualTo(400);
        for (Map<String, Object> meaningless : List.<Map<String, Object>>of(
                Map.of("tokenId", ""),
                Map.of("tokenId", "t".repeat(65)),
                Map.of("issuer", issuerName, "subject", ""),
                Map.of("issuer", issuerName, "subject", "s".repeat(1025)),
                Map.of("issuer", "Not A Name", "subject", "x"))) {
            Response refused = admin("POST", "/admin/v1/revocations", meaningless);
            assertThat(refused.status())
                    .as("%s: %s", meaningless, refused.body())
                    .isEqualTo(400);
            assertThat(refused.json().get("type").stringValue()).isEqualTo("urn:ferry:problem:invalid-field");
        }
    }

    @Test
    void springOpaqueTokenResourceServerAcceptsActiveTokensAndRefusesRevokedOnes() {
        String token = token("repo:acme/gateway:ref:refs/heads/main");

        OAuth2AuthenticatedPrincipal principal = gateway().introspect(token);
        assertThat(principal.getAuthorities().stream().map(Object::toString).toList())
                .contains("SCOPE_deploy", "SCOPE_read");
        assertThat((String) principal.getAttribute("client_id")).isEqualTo(issuerName);

        revoke(token);

        assertThatThrownBy(() -> gateway().introspect(token)).isInstanceOf(BadOpaqueTokenException.class);
        assertThatThrownBy(() -> gateway().introspect("garbage")).isInstanceOf(BadOpaqueTokenException.class);
    }
}
