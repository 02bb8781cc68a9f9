package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryIntegrationTest.Response;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * Two replicas of one Ferry (one issuer URL, one database) whose clocks disagree: what one stamps or prunes by its own clock must
 * not let a token through on the other. Shared records are pruned by the database's clock; a subject
 * revocation covers tokens stamped up to {@code ferry.replicas.clock-skew} late.
 */
class ReplicaClockSkewTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://skew.example.com";

    @TempDir
    Path dir;

    private final List<ConfigurableApplicationContext> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext replica(Duration clockOffset) throws Exception {
        Path definitions = Files.writeString(dir.resolve("ferry.yaml"), """
                issuers:
                  - {name: ci, type: github, issuerUrl: "%s", acceptedAudiences: [ferry], replayProtection: true}
                rules:
                  - name: allow
                    issuer: ci
                    effect: allow
                    conditions: [{claim: repository_owner_id, operator: equals, value: "4242"}]
                    targets: ["%s"]
                """.formatted(ci.url(), TARGET));
        int port = FerryIntegrationTest.freePort();
        Clock clock = Clock.offset(Clock.systemUTC(), clockOffset);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FerryApplication.class)
                .initializers(c -> c.getBeanFactory().registerSingleton("clock", clock))
                .run(
                        "--server.port=" + port,
                        "--ferry.issuer=https://ferry.skew.example.com",
                        "--ferry.data-dir=" + dir,
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("ferry"),
                        "--ferry.federation.allow-insecure-http=true",
                        "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY,
                        "--ferry.admin.bootstrap-token=" + FerryIntegrationTest.BOOTSTRAP_TOKEN,
                        "--ferry.bootstrap.file=" + definitions,
                        "--ferry.rate-limit.enabled=false");
        started.add(context);
        return context;
    }

    @Test
    void aReplicaWhoseClockRunsAheadDoesNotPruneTheReplayRecordsOthersStillNeed() throws Exception {
        ConfigurableApplicationContext onTime = replica(Duration.ZERO);
        ConfigurableApplicationContext ahead = replica(Duration.ofHours(1));
        String token = ci.github().jwtId("skew-" + System.nanoTime()).sign();
        assertThat(exchange(onTime, token).status()).isEqualTo(200);

        ReflectionTestUtils.invokeMethod(ahead.getBean(Class.forName("dev.ferry.federation.ReplayGuard")), "prune");

        Response replay = exchange(onTime, token);
        assertThat(replay.status()).as(replay.body()).isEqualTo(400);
        assertThat(replay.json().get("error_description").stringValue()).contains("already exchanged");
    }

    @Test
    void aSubjectRevocationCoversTokensStampedByAReplicaWhoseClockRunsAhead() throws Exception {
        ConfigurableApplicationContext onTime = replica(Duration.ZERO);
        ConfigurableApplicationContext ahead = replica(Duration.ofSeconds(20));
        String subject = "repo:acme/skew:ref:refs/heads/main";
        Response issued = exchange(ahead, ci.github().subject(subject).sign());
        assertThat(issued.status()).as(issued.body()).isEqualTo(200);
        String accessToken = issued.json().get("access_token").stringValue();
        String secret = onTime.getBean(dev.ferry.token.IntrospectionClients.class)
                .create("gateway", null)
                .secret();
        assertThat(active(onTime, accessToken, secret)).isTrue();

        Response revoked =
                FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(onTime) + "/admin/v1/revocations"))
                        .header("Authorization", "Bearer " + FerryIntegrationTest.BOOTSTRAP_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(FerryIntegrationTest.JSON.writeValueAsString(
                                Map.of("issuer", "ci", "subject", subject))))
                        .build());
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);

        assertThat(active(onTime, accessToken, secret))
                .as("issued before the revocation, though stamped 20 s later than it")
                .isFalse();
        assertThat(active(ahead, accessToken, secret)).isFalse();
    }

    private static String url(ConfigurableApplicationContext ferry) {
        return "http://127.0.0.1:" + ferry.getEnvironment().getProperty("local.server.port");
    }

    private static Response exchange(ConfigurableApplicationContext ferry, String token) {
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                        + "&subject_token=" + token + "&subject_token_type=" + FerryIntegrationTest.ID_TOKEN_TYPE
                        + "&audience=" + TARGET))
                .build());
    }

    private static boolean active(ConfigurableApplicationContext ferry, String token, String secret) {
        Response answer = FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(("gateway:" + secret).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                .build());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("active").asBoolean();
    }
}
