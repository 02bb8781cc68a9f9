package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.TestIssuer;
import dev.ferry.token.KeyRotation;
import dev.ferry.token.SigningKeyInfo;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two Ferry replicas on one database, as behind a load balancer: they share keys, rules (within
 * {@code ferry.cache.refresh}), revocations, replay protection, one audit log, and perform each key
 * rotation once. Runs on H2 in the default run and on PostgreSQL in the PostgreSQL run.
 */
@Tag("postgresql")
@ExtendWith(TestDatabase.Available.class)
class ReplicasTest {

    private static final String TARGET = "https://replicas.example.com";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final TestIssuer ci = new TestIssuer().start();
    private String databaseUrl;

    @AfterEach
    void stop() {
        started.forEach(ConfigurableApplicationContext::close);
        ci.close();
    }

    private ConfigurableApplicationContext replica() {
        if (databaseUrl == null) {
            databaseUrl = TestDatabase.POSTGRESQL.selected()
                    ? TestDatabase.freshPostgresSchema("ferry_replicas")
                    : "jdbc:h2:file:" + dir.resolve("ferry");
        }
        int port = FerryIntegrationTest.freePort();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FerryApplication.class)
                .initializers(c -> c.getBeanFactory().registerSingleton("clock", clock))
                .run(
                        "--server.port=" + port,
                        "--ferry.issuer=https://ferry.example.com",
                        "--ferry.data-dir=" + dir,
                        "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY,
                        "--ferry.admin.bootstrap-token=" + FerryIntegrationTest.BOOTSTRAP_TOKEN,
                        "--ferry.federation.allow-insecure-http=true",
                        "--ferry.cache.refresh=1s",
                        "--ferry.keys.rotation-check-interval=1d",
                        "--spring.datasource.url=" + databaseUrl,
                        "--spring.flyway.schemas=" + (TestDatabase.POSTGRESQL.selected() ? "ferry_replicas" : ""));
        started.add(context);
        return context;
    }

    private static String base(ConfigurableApplicationContext replica) {
        return "http://127.0.0.1:" + replica.getEnvironment().getProperty("local.server.port");
    }

    private static FerryIntegrationTest.Response admin(
            ConfigurableApplicationContext replica, String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(replica) + path))
                .header("Authorization", "Bearer " + FerryIntegrationTest.BOOTSTRAP_TOKEN);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(
                            method,
                            HttpRequest.BodyPublishers.ofString(FerryIntegrationTest.JSON.writeValueAsString(body)));
        }
        return FerryIntegrationTest.send(request.build());
    }

    private static FerryIntegrationTest.Response exchange(ConfigurableApplicationContext replica, String token) {
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(base(replica) + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=" + FerryIntegrationTest.GRANT_TYPE + "&subject_token=" + token
                                + "&subject_token_type=" + FerryIntegrationTest.ID_TOKEN_TYPE + "&audience=" + TARGET))
                .build());
    }

    private void trust(ConfigurableApplicationContext replica, boolean replayProtection) {
        assertThat(admin(
                                replica,
                                "POST",
                                "/admin/v1/issuers",
                                Map.of(
                                        "name",
                                        "ci",
                                        "type",
                                        "github",
                                        "issuerUrl",
                                        ci.url(),
                                        "acceptedAudiences",
                                        List.of(TestIssuer.DEFAULT_AUDIENCE),
                                        "replayProtection",
                                        replayProtection))
                        .status())
                .isEqualTo(201);
    }

    private static void allow(ConfigurableApplicationContext replica, String ownerId) {
        Map<String, Object> rule = Map.of(
                "name",
                "allow-" + ownerId,
                "issuer",
                "ci",
                "effect",
                "allow",
                "conditions",
                List.of(Map.of("claim", "repository_owner_id", "operator", "equals", "value", ownerId)),
                "targets",
                List.of(TARGET),
                "scopes",
                List.of("deploy"));
        assertThat(admin(replica, "POST", "/admin/v1/rules", rule).status()).isEqualTo(201);
    }

    @Test
    void replicasShareKeysRulesRevocationsReplayProtectionAndTheAuditLog() throws Exception {
        ConfigurableApplicationContext a = replica();
        ConfigurableApplicationContext b = replica();
        trust(a, true);
        allow(a, "4242");

        String tokenFromA = waitForSuccess(b, "4242") == 200
                ? exchange(a, ci.github().sign()).json().get("access_token").stringValue()
                : null;
        JWKSet jwksOfB =
                JWKSet.load(URI.create(base(b) + "/.well-known/jwks.json").toURL());
        SignedJWT minted = SignedJWT.parse(tokenFromA);
        assertThat(minted.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(
                        jwksOfB.getKeyByKeyId(minted.getHeader().getKeyID()).toECKey())))
                .as("a token minted by A verifies with B's JWKS")
                .isTrue();

        allow(a, "777");
        long start = System.nanoTime();
        assertThat(waitForSuccess(b, "777"))
                .as("a rule created through A applies on B")
                .isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        JsonNode client =
                admin(b, "POST", "/admin/v1/clients", Map.of("id", "gw")).json();
        assertThat(introspect(b, tokenFromA, client)).isTrue();
        assertThat(admin(
                                a,
                                "POST",
                                "/admin/v1/revocations",
                                Map.of("tokenId", minted.getJWTClaimsSet().getJWTID()))
                        .status())
                .isEqualTo(200);
        assertThat(introspect(b, tokenFromA, client))
                .as("a revocation through A is honoured by B at once")
                .isFalse();

        String once = ci.github().sign();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ConfigurableApplicationContext replica = i % 2 == 0 ? a : b;
                statuses.add(pool.submit(() -> {
                    go.await();
                    return exchange(replica, once).status();
                }));
            }
            go.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                results.add(status.get());
            }
            assertThat(results)
                    .as("replay protection across replicas")
                    .filteredOn(s -> s == 200)
                    .hasSize(1);
        } finally {
            pool.shutdownNow();
        }

        a.getBean(dev.ferry.audit.AuditLog.class).flush(Duration.ofSeconds(10));
        b.getBean(dev.ferry.audit.AuditLog.class).flush(Duration.ofSeconds(10));
        JsonNode fromA = admin(a, "GET", "/admin/v1/audit?kind=exchange&outcome=issued&limit=500", null)
                .json()
                .get("events");
        JsonNode fromB = admin(b, "GET", "/admin/v1/audit?kind=exchange&outcome=issued&limit=500", null)
                .json()
                .get("events");
        assertThat(fromA).as("one audit log").isEqualTo(fromB);
        assertThat(fromA.size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void bothReplicasRunTheRotationCheckAndExactlyOneRotates() throws Exception {
        ConfigurableApplicationContext a = replica();
        ConfigurableApplicationContext b = replica();
        clock.advance(Duration.ofDays(30).minusMinutes(30));

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Boolean> rotateA = () -> a.getBean(KeyRotation.class).rotateIfDue();
            Callable<Boolean> rotateB = () -> b.getBean(KeyRotation.class).rotateIfDue();
            List<Future<Boolean>> results = pool.invokeAll(List.of(rotateA, rotateB));
            assertThat(List.of(results.get(0).get(), results.get(1).get())).containsExactlyInAnyOrder(true, false);
        } finally {
            pool.shutdownNow();
        }
        assertThat(a.getBean(KeyRotation.class).list().stream()
                        .map(SigningKeyInfo::state)
                        .sorted()
                        .toList())
                .containsExactly("active", "next");
        a.getBean(dev.ferry.token.SigningKeys.class).reload();
        b.getBean(dev.ferry.token.SigningKeys.class).reload();
        assertThat(a.getBean(dev.ferry.token.SigningKeys.class).publishedKeys().getKeys())
                .hasSize(2);
        assertThat(b.getBean(dev.ferry.token.SigningKeys.class).publishedKeys().toString())
                .as("each replica reloads the keys every ferry.cache.refresh and publishes the same set")
                .isEqualTo(a.getBean(dev.ferry.token.SigningKeys.class)
                        .publishedKeys()
                        .toString());
    }

    /** Exchanges on {@code replica} until a token with owner {@code ownerId} is granted, for up to 5 s. */
    private int waitForSuccess(ConfigurableApplicationContext replica, String ownerId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int status;
        do {
            status = exchange(
                            replica,
                            ci.github().claim("repository_owner_id", ownerId).sign())
                    .status();
            if (status == 200) {
                return status;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return status;
    }

    private static boolean introspect(ConfigurableApplicationContext replica, String token, JsonNode client) {
        String basic = Base64.getEncoder()
                .encodeToString((client.get("id").stringValue() + ":"
                                + client.get("secret").stringValue())
                        .getBytes(StandardCharsets.UTF_8));
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(base(replica) + "/introspect"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                        .build())
                .json()
                .get("active")
                .asBoolean();
    }
}
