package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestDpop;
import dev.ferry.testing.TestIssuer;
import dpopgateway.GatewayConfiguration;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The gateway side of DPoP (RFC 9449 §7): a real Spring Security 7 resource server ({@link
 * GatewayConfiguration}) in front of a service accepts a Ferry token bound to a key only with a fresh
 * proof of that key for the request it comes with, and refuses it without a proof, presented as a bearer
 * token, with a proof of another key, replayed, for another method or URL, or for another token; a bearer
 * token keeps working where DPoP is not required.
 */
class DpopGatewayTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String AUDIENCE = "https://dpop-gateway.example.com";
    private static boolean configured;
    private static AnnotationConfigServletWebServerApplicationContext gateway;
    private static String gatewayUrl;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        String issuer = unique("dpop-gw");
        create("issuers", issuerFor(issuer, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        create(
                "rules",
                rule(
                        unique("dpop-gw-deploy"),
                        issuer,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(AUDIENCE),
                        List.of("deploy")));
        gateway = new AnnotationConfigServletWebServerApplicationContext();
        gateway.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "gateway", Map.of("gateway.ferry-issuer", ferryIssuer, "gateway.audience", AUDIENCE)));
        gateway.register(GatewayConfiguration.class);
        gateway.refresh();
        gatewayUrl = "http://127.0.0.1:" + gateway.getWebServer().getPort();
        configured = true;
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** A token from Ferry, bound to {@code key} (a proof of it sent to /token), or a bearer token without. */
    private String token(TestDpop key) {
        String body = "grant_type=" + encode(GRANT_TYPE) + "&subject_token="
                + encode(ci.github().sign()) + "&subject_token_type=" + encode(ID_TOKEN_TYPE) + "&audience="
                + encode(AUDIENCE);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("DPoP", key.proof("POST", baseUrl() + "/token").sign());
        }
        Response response = send(request.build());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("token_type").stringValue()).isEqualTo(key == null ? "Bearer" : "DPoP");
        return response.json().get("access_token").stringValue();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A fresh proof of {@code key} for {@code method} on the gateway's {@code path}, going with {@code token}. */
    private static String proof(TestDpop key, String method, String path, String token) {
        return key.proof(method, gatewayUrl + path).ath(token).sign();
    }

    private static Response call(String method, String path, String authorization, String proof) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (proof != null) {
            request.header("DPoP", proof);
        }
        return send(request.build());
    }

    @Test
    void aBoundTokenWithAFreshProofOfItsKeyIsAccepted() {
        TestDpop key = TestDpop.es256();
        String token = token(key);

        Response deployed = call("POST", "/deploy", "DPoP " + token, proof(key, "POST", "/deploy", token));
        Response status = call("GET", "/status", "DPoP " + token, proof(key, "GET", "/status", token));

        assertThat(deployed.status()).as(deployed.header("WWW-Authenticate")).isEqualTo(200);
        assertThat(deployed.json().get("deployed").stringValue()).isEqualTo("yes");
        assertThat(status.status()).isEqualTo(200);
    }

    @Test
    void aBoundTokenWithoutAProofIsRefused() {
        String token = token(TestDpop.es256());

        assertThat(call("POST", "/deploy", "DPoP " + token, null).status()).isEqualTo(401);
        Response asBearer = call("POST", "/deploy", "Bearer " + token, null);
        assertThat(asBearer.status()).as("a bound token is no bearer token").isEqualTo(401);
        assertThat(asBearer.header("WWW-Authenticate")).contains("invalid_token");
    }

    @Test
    void aProofOfAnotherKeyIsRefused() {
        TestDpop key = TestDpop.es256();
        String token = token(key);
        TestDpop thief = TestDpop.es256();

        Response refused = call("POST", "/deploy", "DPoP " + token, proof(thief, "POST", "/deploy", token));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).startsWith("DPoP");
    }

    @Test
    void aReplayedProofIsRefused() {
        TestDpop key = TestDpop.es256();
        String token = token(key);
        String proof = proof(key, "POST", "/deploy", token);

        assertThat(call("POST", "/deploy", "DPoP " + token, proof).status()).isEqualTo(200);
        assertThat(call("POST", "/deploy", "DPoP " + token, proof).status()).isEqualTo(401);
    }

    @Test
    void aProofForAnotherMethodOrUrlIsRefused() {
        TestDpop key = TestDpop.es256();
        String token = token(key);

        assertThat(call("POST", "/deploy", "DPoP " + token, proof(key, "GET", "/deploy", token))
                        .status())
                .as("another method")
                .isEqualTo(401);
        assertThat(call("POST", "/deploy", "DPoP " + token, proof(key, "POST", "/status", token))
                        .status())
                .as("another URL")
                .isEqualTo(401);
        assertThat(call(
                                "POST",
                                "/deploy",
                                "DPoP " + token,
                                key.proof("POST", "https://elsewhere.example.com/deploy")
                                        .ath(token)
                                        .sign())
                        .status())
                .as("another host")
                .isEqualTo(401);
    }

    @Test
    void aProofForAnotherTokenIsRefused() {
        TestDpop key = TestDpop.es256();
        String token = token(key);
        String other = token(key);

        assertThat(call("POST", "/deploy", "DPoP " + token, proof(key, "POST", "/deploy", other))
                        .status())
                .as("ath of another token")
                .isEqualTo(401);
        assertThat(call(
                                "POST",
                                "/deploy",
                                "DPoP " + token,
                                key.proof("POST", gatewayUrl + "/deploy").sign())
                        .status())
                .as("no ath")
                .isEqualTo(401);
    }

    @Test
    void aBearerTokenKeepsWorkingWhereDpopIsNotRequired() {
        String token = token(null);

        Response deployed = call("POST", "/deploy", "Bearer " + token, null);

        assertThat(deployed.status()).as(deployed.header("WWW-Authenticate")).isEqualTo(200);
        assertThat(call("POST", "/deploy", null, null).status()).isEqualTo(401);
    }
}
