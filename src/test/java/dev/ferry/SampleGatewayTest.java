package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import example.gateway.GatewayApplication;
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
 * The sample service of examples/gateway, a Spring Boot resource server configured with Ferry's
 * issuer URL and its own audience, accepts Ferry's tokens, enforces a scope per route, and refuses
 * tampered, expired and wrong-audience tokens.
 */
class SampleGatewayTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String AUDIENCE = "https://deploy.example.com";
    private static boolean configured;
    private static ConfigurableApplicationContext gateway;
    private static String gatewayUrl;

    @Autowired
    TokenMinter minter;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        String issuer = unique("gw");
        create("issuers", issuerFor(issuer, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        create(
                "rules",
                rule(
                        unique("gw-deploy"),
                        issuer,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/main")),
                        List.of(AUDIENCE, "https://other.example.com"),
                        List.of("deploy")));
        create(
                "rules",
                rule(
                        unique("gw-read"),
                        issuer,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/dev")),
                        List.of(AUDIENCE),
                        List.of("read")));
        gateway = new SpringApplicationBuilder(GatewayApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.security.oauth2.resourceserver.jwt.issuer-uri=" + ferryIssuer,
                        "--spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE,
                        "--spring.datasource.url=jdbc:h2:mem:sample-gateway",
                        "--spring.flyway.enabled=false",
                        "--spring.jpa.hibernate.ddl-auto=none",
                        "--springdoc.api-docs.enabled=false",
                        // Ferry's own settings are on the test classpath; the sample has no signing keys to report on.
                        "--management.endpoint.health.group.readiness.include=readinessState");
        gatewayUrl = "http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port");
        configured = true;
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private String token(String ref, String audience) {
        Response response = exchange(ci.github().claim("ref", ref).sign(), audience);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("access_token").stringValue();
    }

    private int call(String method, String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request.build()).status();
    }

    @Test
    void scopePerRouteIsEnforced() {
        String deploy = token("refs/heads/main", AUDIENCE);
        String read = token("refs/heads/dev", AUDIENCE);

        assertThat(call("POST", "/deploy", deploy)).isEqualTo(200);
        assertThat(call("GET", "/status", deploy)).isEqualTo(200);
        assertThat(call("GET", "/status", read)).isEqualTo(200);
        assertThat(call("POST", "/deploy", read)).isEqualTo(403);
    }

    @Test
    void tamperedExpiredWrongAudienceAndMissingTokensAreRefused() {
        String deploy = token("refs/heads/main", AUDIENCE);
        String[] parts = deploy.split("\\.");
        String forgedPayload = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                        .replace("\"deploy\"", "\"admin deploy\"")
                        .getBytes());
        String expired = minter.mint(new MintRequest(
                        "gw", ci.url(), "s", null, AUDIENCE, List.of("deploy"), Duration.ofMinutes(-5), Map.of()))
                .accessToken();

        assertThat(call("POST", "/deploy", parts[0] + "." + forgedPayload + "." + parts[2]))
                .isEqualTo(401);
        assertThat(call("POST", "/deploy", expired)).isEqualTo(401);
        assertThat(call("POST", "/deploy", token("refs/heads/main", "https://other.example.com")))
                .isEqualTo(401);
        assertThat(call("POST", "/deploy", ci.github().sign()))
                .as("a CI token is not a Ferry token")
                .isEqualTo(401);
        assertThat(call("POST", "/deploy", null)).isEqualTo(401);
    }
}
