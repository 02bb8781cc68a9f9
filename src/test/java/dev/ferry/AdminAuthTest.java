package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestDpop;
import dev.ferry.testing.TestIssuer;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Who may call the admin API: the bootstrap token, or Ferry's own tokens for the admin audience with
 * scope {@code ferry:admin} (everything) or {@code ferry:read} (GET only), obtained by exchanging a
 * CI job's OIDC token like any other.
 */
class AdminAuthTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static boolean configured;
    private static ConfigurableApplicationContext otherFerry;

    @Autowired
    TokenMinter minter;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        String issuer = unique("ops-ci");
        create("issuers", issuerFor(issuer, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        create(
                "rules",
                rule(
                        unique("ops-admin"),
                        issuer,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/main")),
                        List.of(adminAudience(), "https://not-admin.example.com"),
                        List.of("ferry:admin")));
        create(
                "rules",
                rule(
                        unique("ops-read"),
                        issuer,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/audit")),
                        List.of(adminAudience()),
                        List.of("ferry:read")));
        configured = true;
    }

    @AfterAll
    static void stopOtherFerry() {
        if (otherFerry != null) {
            otherFerry.close();
        }
    }

    private String adminAudience() {
        return ferryIssuer + "/admin";
    }

    private String exchangedToken(String ref, String audience) {
        Response response = exchange(ci.github().claim("ref", ref).sign(), audience);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("access_token").stringValue();
    }

    private Response call(String method, String path, String bearer, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (json != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return send(request.build());
    }

    private static String issuerJson(String name) {
        return "{\"name\":\"" + name + "\",\"type\":\"oidc\",\"issuerUrl\":\"https://" + name + ".example.com\"}";
    }

    @Test
    void operatorsCiExchangesItsOidcTokenForAnAdminTokenAndManagesIssuers() {
        String adminToken = exchangedToken("refs/heads/main", adminAudience());

        assertThat(call("GET", "/admin/v1/rules", adminToken, null).status()).isEqualTo(200);
        String name = unique("by-ci");
        assertThat(call("POST", "/admin/v1/issuers", adminToken, issuerJson(name))
                        .status())
                .isEqualTo(201);
        assertThat(call("DELETE", "/admin/v1/issuers/" + name, adminToken, null).status())
                .isEqualTo(204);
    }

    @Test
    void revokedAdminTokenIsRefused() throws Exception {
        String adminToken = exchangedToken("refs/heads/main", adminAudience());
        assertThat(call("GET", "/admin/v1/rules", adminToken, null).status()).isEqualTo(200);

        String jti =
                com.nimbusds.jwt.SignedJWT.parse(adminToken).getJWTClaimsSet().getJWTID();
        assertThat(admin("POST", "/admin/v1/revocations", Map.of("tokenId", jti))
                        .status())
                .isEqualTo(200);

        assertThat(call("GET", "/admin/v1/rules", adminToken, null).status()).isEqualTo(401);
    }

    /**
     * An admin token bound to a DPoP key (RFC 9449) is accepted by the admin API only with a fresh proof
     * of that key for the request (§7.1), never as a bearer token: a stolen bound admin token is useless.
     */
    @Test
    void aDpopBoundAdminTokenNeedsAProofOfItsKeyForEachRequest() {
        TestDpop key = TestDpop.es256();
        String body = "grant_type=" + encode(GRANT_TYPE) + "&subject_token="
                + encode(ci.github().claim("ref", "refs/heads/main").sign())
                + "&subject_token_type=" + encode(ID_TOKEN_TYPE) + "&audience=" + encode(adminAudience());
        Response exchanged = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("DPoP", key.proof("POST", baseUrl() + "/token").sign())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        assertThat(exchanged.json().get("token_type").stringValue()).isEqualTo("DPoP");
        String token = exchanged.json().get("access_token").stringValue();
        String rules = baseUrl() + "/admin/v1/rules";

        Response proven = dpopCall(
                "GET",
                "/admin/v1/rules",
                token,
                key.proof("GET", rules).ath(token).sign());
        assertThat(proven.status()).as(proven.header("WWW-Authenticate")).isEqualTo(200);
        String issuer = unique("by-dpop");
        assertThat(dpopCall(
                                "POST",
                                "/admin/v1/issuers",
                                token,
                                key.proof("POST", baseUrl() + "/admin/v1/issuers")
                                        .ath(token)
                                        .sign(),
                                issuerJson(issuer))
                        .status())
                .isEqualTo(201);

        Response asBearer = call("GET", "/admin/v1/rules", token, null);
        assertThat(asBearer.status()).as("a bound token is no bearer token").isEqualTo(401);
        assertThat(asBearer.header("WWW-Authenticate")).contains("invalid_token");
        assertThat(dpopCall("GET", "/admin/v1/rules", token, null).status())
                .as("no proof")
                .isEqualTo(401);
        assertThat(dpopCall(
                                "GET",
                                "/admin/v1/rules",
                                token,
                                TestDpop.es256().proof("GET", rules).ath(token).sign())
                        .status())
                .as("a proof of another key")
                .isEqualTo(401);
        assertThat(dpopCall(
                                "DELETE",
                                "/admin/v1/issuers/" + issuer,
                                token,
                                key.proof("GET", rules).ath(token).sign())
                        .status())
                .as("a proof for another request")
                .isEqualTo(401);
        String once = key.proof("GET", rules).ath(token).sign();
        assertThat(dpopCall("GET", "/admin/v1/rules", token, once).status()).isEqualTo(200);
        assertThat(dpopCall("GET", "/admin/v1/rules", token, once).status())
                .as("a replayed proof")
                .isEqualTo(401);
    }

    private Response dpopCall(String method, String path, String token, String proof) {
        return dpopCall(method, path, token, proof, null);
    }

    private Response dpopCall(String method, String path, String token, String proof, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "DPoP " + token)
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (proof != null) {
            request.header("DPoP", proof);
        }
        return send(request.build());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void readScopeMayReadButNotWrite() {
        String readToken = exchangedToken("refs/heads/audit", adminAudience());

        assertThat(call("GET", "/admin/v1/issuers", readToken, null).status()).isEqualTo(200);
        assertThat(call("POST", "/admin/v1/issuers", readToken, issuerJson(unique("denied")))
                        .status())
                .isEqualTo(403);
        assertThat(call("DELETE", "/admin/v1/issuers/whatever", readToken, null).status())
                .isEqualTo(403);
    }

    @Test
    void readScopeMayAskForTheImpactOfAFileButNotImportIt() {
        String readToken = exchangedToken("refs/heads/audit", adminAudience());
        String file = "{\"issuers\":[],\"rules\":[]}";

        Response impact = call("POST", "/admin/v1/impact?window=PT1H", readToken, file);
        assertThat(impact.status()).as(impact.body()).isEqualTo(200);
        assertThat(impact.json().get("dryRun").asBoolean()).isTrue();
        assertThat(impact.json().get("impact").get("basis").stringValue()).contains("not re-verified");
        assertThat(call("POST", "/admin/v1/import?dryRun=true&impact=PT1H", readToken, file)
                        .status())
                .as("the import, even a dry run, stays ferry:admin")
                .isEqualTo(403);
    }

    @Test
    void tokenForAnotherAudienceIsRefused() {
        String notAdmin = exchangedToken("refs/heads/main", "https://not-admin.example.com");

        assertThat(call("GET", "/admin/v1/issuers", notAdmin, null).status()).isEqualTo(401);
    }

    @Test
    void missingGarbageAndExpiredTokensAreRefused() {
        assertThat(call("GET", "/admin/v1/issuers", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/admin/v1/issuers", "garbage", null).status()).isEqualTo(401);
        assertThat(call("GET", "/admin/v1/issuers", "a.b.c", null).status()).isEqualTo(401);

        String expired = minter.mint(new MintRequest(
                        "ops",
                        "https://ci.example.com",
                        "someone",
                        null,
                        adminAudience(),
                        List.of("ferry:admin"),
                        Duration.ofMinutes(-5),
                        Map.of()))
                .accessToken();
        Response response = call("GET", "/admin/v1/issuers", expired, null);
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).contains("invalid_token");
    }

    @Test
    void subjectTokensOfTrustedIssuersAreNotAdminTokens() {
        assertThat(call(
                                "GET",
                                "/admin/v1/issuers",
                                ci.github().audience(adminAudience()).sign(),
                                null)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void withoutBootstrapTokenOnlyFerryTokensWorkAndOnlyTheirOwnFerrysTokens() {
        ConfigurableApplicationContext other = otherFerry();
        String otherUrl = other.getEnvironment().getProperty("ferry.issuer");
        String otherAdmin = other.getBean(TokenMinter.class)
                .mint(new MintRequest(
                        "ops",
                        "https://ci.example.com",
                        "someone",
                        null,
                        otherUrl + "/admin",
                        List.of("ferry:admin"),
                        Duration.ofMinutes(5),
                        Map.of()))
                .accessToken();
        String ourAdmin = exchangedToken("refs/heads/main", adminAudience());

        assertThat(callAt(otherUrl, BOOTSTRAP_TOKEN))
                .as("no bootstrap token configured there")
                .isEqualTo(401);
        assertThat(callAt(otherUrl, "")).isEqualTo(401);
        assertThat(callAt(otherUrl, otherAdmin)).isEqualTo(200);
        assertThat(callAt(otherUrl, ourAdmin))
                .as("another Ferry's token: wrong issuer and key")
                .isEqualTo(401);
        assertThat(callAt(baseUrl(), otherAdmin))
                .as("another Ferry's token: wrong issuer and key")
                .isEqualTo(401);
    }

    private static int callAt(String base, String bearer) {
        return send(HttpRequest.newBuilder(URI.create(base + "/admin/v1/issuers"))
                        .header("Authorization", "Bearer " + bearer)
                        .GET()
                        .build())
                .status();
    }

    private static ConfigurableApplicationContext otherFerry() {
        if (otherFerry == null) {
            int port = freePort();
            otherFerry = new SpringApplicationBuilder(FerryApplication.class)
                    .run(
                            "--server.port=" + port,
                            "--ferry.issuer=http://127.0.0.1:" + port,
                            "--ferry.keys.encryption-key=" + ENCRYPTION_KEY,
                            "--spring.datasource.url=jdbc:h2:mem:ferry-other;DB_CLOSE_DELAY=-1",
                            "--spring.flyway.schemas=",
                            "--ferry.data-dir=" + System.getProperty("java.io.tmpdir") + "/ferry-test-other");
        }
        return otherFerry;
    }
}
