package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import java.net.URI;
import java.net.http.HttpRequest;
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
