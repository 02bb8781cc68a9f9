package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** What operators rely on: health, metrics, rate limits, and start-up checks with clear messages. */
class OperationsTest {

    @TempDir
    Path dir;

    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        started.forEach(ConfigurableApplicationContext::close);
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private ConfigurableApplicationContext ferry(String... extra) {
        int port = FerryIntegrationTest.freePort();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--ferry.issuer=http://127.0.0.1:" + port,
                "--ferry.data-dir=" + dir,
                "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY));
        if (List.of(extra).stream().noneMatch(a -> a.startsWith("--spring.datasource.url="))) {
            args.add("--spring.datasource.url=jdbc:h2:file:" + dir.resolve("ferry"));
        }
        args.addAll(List.of(extra));
        ConfigurableApplicationContext context =
                new SpringApplicationBuilder(FerryApplication.class).run(args.toArray(String[]::new));
        started.add(context);
        return context;
    }

    private static String url(ConfigurableApplicationContext ferry) {
        return ferry.getEnvironment().getProperty("ferry.issuer");
    }

    private static FerryIntegrationTest.Response get(ConfigurableApplicationContext ferry, String path) {
        return FerryIntegrationTest.send(
                HttpRequest.newBuilder(URI.create(url(ferry) + path)).GET().build());
    }

    private static FerryIntegrationTest.Response exchange(ConfigurableApplicationContext ferry, String token) {
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                        + "&subject_token=" + token + "&subject_token_type=" + FerryIntegrationTest.ID_TOKEN_TYPE
                        + "&audience=https://ops.example.com"))
                .build());
    }

    private Path definitions(TestIssuer issuer) throws Exception {
        return Files.writeString(dir.resolve("ferry.yaml"), """
                issuers:
                  - name: ci
                    type: github
                    issuerUrl: %s
                    acceptedAudiences: [ferry]
                rules:
                  - name: ops
                    issuer: ci
                    effect: allow
                    conditions: [{claim: repository_owner_id, operator: equals, value: "4242"}]
                    targets: ["https://ops.example.com"]
                    scopes: [deploy]
                """.formatted(issuer.url()));
    }

    @Test
    void readinessFollowsTheDatabase() throws Exception {
        Server database =
                Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        closeables.add(database::stop);
        ConfigurableApplicationContext ferry = ferry(
                "--spring.datasource.url=jdbc:h2:tcp://localhost:" + database.getPort() + "/mem:ops",
                "--spring.datasource.hikari.connection-timeout=1000",
                "--spring.datasource.hikari.validation-timeout=500");
        assertThat(get(ferry, "/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(get(ferry, "/actuator/health/liveness").status()).isEqualTo(200);

        database.stop();

        assertThat(get(ferry, "/actuator/health/readiness").status()).isEqualTo(503);
        assertThat(get(ferry, "/actuator/health/liveness").status())
                .as("the process itself is fine")
                .isEqualTo(200);
    }

    @Test
    void prometheusExposesExchangeJwksKeyAndAuditMetrics() throws Exception {
        try (TestIssuer issuer = new TestIssuer().start()) {
            ConfigurableApplicationContext ferry = ferry(
                    "--ferry.federation.allow-insecure-http=true", "--ferry.bootstrap.file=" + definitions(issuer));
            assertThat(exchange(ferry, issuer.github().sign()).status()).isEqualTo(200);
            assertThat(exchange(
                                    ferry,
                                    issuer.github()
                                            .claim("repository_owner_id", "1")
                                            .sign())
                            .status())
                    .isEqualTo(400);

            String metrics = get(ferry, "/actuator/prometheus").body();

            assertThat(metrics)
                    .contains(
                            "ferry_exchanges_total{application=\"ferry\",error=\"none\",issuer=\"ci\",outcome=\"issued\"} 1.0");
            assertThat(metrics)
                    .contains(
                            "ferry_exchanges_total{application=\"ferry\",error=\"invalid_request\",issuer=\"ci\",outcome=\"refused\"} 1.0");
            assertThat(metrics).contains("ferry_exchange_duration_seconds_bucket");
            assertThat(metrics)
                    .contains("ferry_jwks_fetches_total{application=\"ferry\",issuer=\"ci\",outcome=\"success\"} 1.0");
            assertThat(metrics)
                    .contains("ferry_signing_key_age_seconds", "ferry_audit_backlog", "ferry_audit_batch_seconds");
            assertThat(metrics)
                    .contains(
                            "http_server_requests_seconds_count{application=\"ferry\",error=\"none\",exception=\"none\",method=\"POST\"");
            // No Spring Security observations (one per filter and per decision on every request);
            // refused admin calls are still counted, by status.
            FerryIntegrationTest.Response anonymous =
                    FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/admin/v1/issuers"))
                            .header("Authorization", "Bearer not-a-token")
                            .GET()
                            .build());
            assertThat(anonymous.status()).isEqualTo(401);
            String after = get(ferry, "/actuator/prometheus").body();
            assertThat(after).doesNotContain("spring_security_");
            assertThat(after).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"401\"");
        }
    }

    @Test
    void rateLimitsAnswer429WithRetryAfterPerSubjectAndPerAddress() throws Exception {
        try (TestIssuer issuer = new TestIssuer().start()) {
            ConfigurableApplicationContext ferry = ferry(
                    "--ferry.federation.allow-insecure-http=true",
                    "--ferry.bootstrap.file=" + definitions(issuer),
                    "--ferry.rate-limit.per-subject=2",
                    "--ferry.rate-limit.per-address=4");
            String token = issuer.github().sign();
            assertThat(exchange(ferry, token).status()).isEqualTo(200);
            assertThat(exchange(ferry, token).status()).isEqualTo(200);

            FerryIntegrationTest.Response bySubject = exchange(ferry, token);
            assertThat(bySubject.status()).isEqualTo(429);
            assertThat(Integer.parseInt(bySubject.header("Retry-After"))).isBetween(1, 60);
            assertThat(bySubject.json().get("error").stringValue()).isEqualTo("temporarily_unavailable");
            assertThat(bySubject.json().get("error_description").stringValue()).contains("subject");
            assertThat(exchange(
                                    ferry,
                                    issuer.github()
                                            .subject("repo:acme/other:ref:refs/heads/main")
                                            .sign())
                            .status())
                    .as("another subject is not limited")
                    .isEqualTo(200);

            FerryIntegrationTest.Response byAddress = exchange(
                    ferry,
                    issuer.github()
                            .subject("repo:acme/third:ref:refs/heads/main")
                            .sign());
            assertThat(byAddress.status()).isEqualTo(429);
            assertThat(byAddress.json().get("error_description").stringValue()).contains("client address");
            assertThat(byAddress.header("Retry-After")).isNotNull();
        }
    }

    @Test
    void failedIntrospectionClientAuthenticationsAreLimitedPerAddress() {
        ConfigurableApplicationContext ferry = ferry("--ferry.rate-limit.introspection-failures=3");
        String secret = ferry.getBean(dev.ferry.token.IntrospectionClients.class)
                .create("gateway", null)
                .secret();
        assertThat(introspect(ferry, "gateway", secret).status())
                .as("successes are not counted")
                .isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(introspect(ferry, "gateway", "wrong-" + i).status()).isEqualTo(401);
        }

        FerryIntegrationTest.Response limited = introspect(ferry, "gateway", "wrong-again");

        assertThat(limited.status()).isEqualTo(429);
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
        assertThat(limited.json().get("error").stringValue()).isEqualTo("temporarily_unavailable");
        assertThat(introspect(ferry, "gateway", secret).status())
                .as("the address is refused before any secret is checked, the right one too")
                .isEqualTo(429);
    }

    private static FerryIntegrationTest.Response introspect(
            ConfigurableApplicationContext ferry, String client, String secret) {
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                        "Authorization",
                        "Basic "
                                + java.util.Base64.getEncoder()
                                        .encodeToString((client + ":" + secret)
                                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token=not-a-token"))
                .build());
    }

    @Test
    void httpIssuerWithoutTheFlagStopsTheStartWithTheReason() throws Exception {
        try (TestIssuer issuer = new TestIssuer().start()) {
            ferry("--ferry.federation.allow-insecure-http=true", "--ferry.bootstrap.file=" + definitions(issuer))
                    .close();

            assertThatThrownBy(() -> ferry())
                    .rootCause()
                    .hasMessageContaining("issuer 'ci' uses http://")
                    .hasMessageContaining("ferry.federation.allow-insecure-http");
        }
    }

    @Test
    void negativeSignatureLimitStopsTheStartWithTheReason() {
        assertThatThrownBy(() -> ferry("--ferry.keys.max-concurrent-signatures=-1"))
                .rootCause()
                .hasMessageContaining("maxConcurrentSignatures")
                .hasMessageContaining("-1");
    }

    @Test
    void relativeIssuerUrlStopsTheStartWithTheReason() {
        assertThatThrownBy(() -> ferry("--ferry.issuer=/ferry"))
                .rootCause()
                .hasMessageContaining("ferry.issuer must be an absolute http(s) URL");
    }
}
