package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryIntegrationTest.Response;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.TestDpop;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * Two Ferry replicas on one database, behind a proxy that serves them as {@code https://ferry.example.com},
 * with {@code ferry.dpop.nonce=required}: a DPoP proof is accepted once whichever replica it reaches, a
 * nonce one replica gave out is accepted by the other (no sticky sessions), a stale nonce is answered
 * {@code use_dpop_nonce} with a fresh one, and pruning keeps what a replica still accepts. Runs on H2 in
 * the default run and on PostgreSQL in the PostgreSQL run.
 */
@Tag("postgresql")
@ExtendWith(TestDatabase.Available.class)
class DpopReplicasTest {

    private static final String ISSUER = "https://ferry.example.com";
    private static final String TOKEN_ENDPOINT = ISSUER + "/token";
    private static final String TARGET = "https://dpop-replicas.example.com";
    private static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final TestIssuer ci = new TestIssuer().start();
    private String databaseUrl;
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;

    @BeforeEach
    void start() throws InterruptedException {
        a = replica();
        b = replica();
        admin(
                a,
                "/admin/v1/issuers",
                Map.of(
                        "name",
                        "ci",
                        "type",
                        "github",
                        "issuerUrl",
                        ci.url(),
                        "acceptedAudiences",
                        List.of(TestIssuer.DEFAULT_AUDIENCE)));
        admin(
                a,
                "/admin/v1/rules",
                Map.of(
                        "name",
                        "allow",
                        "issuer",
                        "ci",
                        "effect",
                        "allow",
                        "conditions",
                        List.of(Map.of("claim", "repository_owner_id", "operator", "equals", "value", "4242")),
                        "targets",
                        List.of(TARGET),
                        "scopes",
                        List.of("deploy")));
        waitUntilGranted(b);
    }

    /** Within {@code ferry.cache.refresh}, a replica applies what was written through the other. */
    private void waitUntilGranted(ConfigurableApplicationContext replica) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (exchange(replica, null).status() != 200) {
            assertThat(System.nanoTime())
                    .as("the issuer and rule reach the other replica")
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterEach
    void stop() {
        started.forEach(ConfigurableApplicationContext::close);
        ci.close();
    }

    private ConfigurableApplicationContext replica() {
        if (databaseUrl == null) {
            databaseUrl = TestDatabase.POSTGRESQL.selected()
                    ? TestDatabase.freshPostgresSchema("ferry_dpop_replicas")
                    : "jdbc:h2:file:" + dir.resolve("ferry");
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FerryApplication.class)
                .initializers(c -> c.getBeanFactory().registerSingleton("clock", clock))
                .run(
                        "--server.port=" + FerryIntegrationTest.freePort(),
                        "--ferry.issuer=" + ISSUER,
                        "--ferry.data-dir=" + dir,
                        "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY,
                        "--ferry.admin.bootstrap-token=" + FerryIntegrationTest.BOOTSTRAP_TOKEN,
                        "--ferry.federation.allow-insecure-http=true",
                        "--ferry.cache.refresh=1s",
                        "--ferry.rate-limit.enabled=false",
                        "--ferry.dpop.nonce=required",
                        "--ferry.dpop.nonce-lifetime=" + NONCE_LIFETIME.toSeconds() + "s",
                        "--spring.datasource.url=" + databaseUrl,
                        "--spring.flyway.schemas=" + (TestDatabase.POSTGRESQL.selected() ? "ferry_dpop_replicas" : ""));
        started.add(context);
        return context;
    }

    private static String base(ConfigurableApplicationContext replica) {
        return "http://127.0.0.1:" + replica.getEnvironment().getProperty("local.server.port");
    }

    private static void admin(ConfigurableApplicationContext replica, String path, Object body) {
        Response response = FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(base(replica) + path))
                .header("Authorization", "Bearer " + FerryIntegrationTest.BOOTSTRAP_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(FerryIntegrationTest.JSON.writeValueAsString(body)))
                .build());
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    /** {@code POST /token} on {@code replica}, with a subject token valid by the shared clock, and the proof. */
    private Response exchange(ConfigurableApplicationContext replica, String proof) {
        String subjectToken = ci.github()
                .issuedAt(clock.instant())
                .notBefore(clock.instant())
                .expiresAt(clock.instant().plus(Duration.ofMinutes(5)))
                .sign();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(replica) + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + encode(FerryIntegrationTest.GRANT_TYPE)
                        + "&subject_token=" + encode(subjectToken) + "&subject_token_type="
                        + encode(FerryIntegrationTest.ID_TOKEN_TYPE) + "&audience=" + encode(TARGET)));
        if (proof != null) {
            request.header("DPoP", proof);
        }
        return FerryIntegrationTest.send(request.build());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private TestDpop.Proof proof(TestDpop key) {
        return key.proof("POST", TOKEN_ENDPOINT).iat(clock.instant());
    }

    /** The nonce {@code replica} hands out, from its answer to a proof without one. */
    private String nonceFrom(ConfigurableApplicationContext replica) {
        Response refused = exchange(replica, proof(TestDpop.es256()).sign());
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("error").stringValue()).isEqualTo("use_dpop_nonce");
        String nonce = refused.header("DPoP-Nonce");
        assertThat(nonce).isNotBlank();
        return nonce;
    }

    @Test
    void aProofWithoutTheNonceIsAnsweredUseDpopNonceWithOneAndAudited() throws Exception {
        Response refused = exchange(a, proof(TestDpop.es256()).sign());

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").stringValue()).isEqualTo("use_dpop_nonce");
        assertThat(refused.json().get("error_description").stringValue()).contains("DPoP-Nonce header");
        assertThat(refused.json().has("access_token")).isFalse();
        assertThat(refused.header("DPoP-Nonce")).matches("[A-Za-z0-9_-]{32}");
        String exchangeId = refused.json().get("exchange_id").stringValue();
        a.getBean(dev.ferry.audit.AuditLog.class).flush(Duration.ofSeconds(10));
        Map<String, Object> event = a.getBean(JdbcTemplate.class)
                .queryForMap("select outcome, error, token_id from audit_event where id = ?", exchangeId);
        assertThat(event.values()).containsExactly("refused", "use_dpop_nonce", null);
    }

    @Test
    void aNonceOneReplicaGaveOutIsAcceptedByTheOther() throws Exception {
        TestDpop key = TestDpop.es256();

        Response granted = exchange(b, proof(key).nonce(nonceFrom(a)).sign());

        assertThat(granted.status()).as(granted.body()).isEqualTo(200);
        assertThat(granted.json().get("token_type").stringValue()).isEqualTo("DPoP");
        assertThat(com.nimbusds.jwt.SignedJWT.parse(
                                granted.json().get("access_token").stringValue())
                        .getJWTClaimsSet()
                        .getJSONObjectClaim("cnf"))
                .isEqualTo(Map.of("jkt", key.thumbprint()));
        assertThat(granted.header("DPoP-Nonce"))
                .as("a success carries the nonce too")
                .isNotBlank();
    }

    @Test
    void htuIsTheIssuersTokenEndpointNotTheReplicasOwnAddress() {
        String nonce = nonceFrom(a);
        Response direct = exchange(
                a,
                TestDpop.es256()
                        .proof("POST", base(a) + "/token")
                        .iat(clock.instant())
                        .nonce(nonce)
                        .sign());

        assertThat(direct.status()).isEqualTo(400);
        assertThat(direct.json().get("error").stringValue()).isEqualTo("invalid_dpop_proof");
        assertThat(direct.json().get("error_description").stringValue()).contains(TOKEN_ENDPOINT);
    }

    @Test
    void aNonceIsAcceptedInItsSlotAndTheNextThenItIsStale() {
        String nonce = nonceFrom(a);
        clock.advance(NONCE_LIFETIME);
        assertThat(exchange(b, proof(TestDpop.es256()).nonce(nonce).sign()).status())
                .as("the nonce of the slot before")
                .isEqualTo(200);
        clock.advance(NONCE_LIFETIME);

        Response stale = exchange(a, proof(TestDpop.es256()).nonce(nonce).sign());

        assertThat(stale.status()).isEqualTo(400);
        assertThat(stale.json().get("error").stringValue()).isEqualTo("use_dpop_nonce");
        assertThat(stale.json().get("error_description").stringValue()).contains("stale");
        String fresh = stale.header("DPoP-Nonce");
        assertThat(fresh).isNotBlank().isNotEqualTo(nonce);
        assertThat(exchange(b, proof(TestDpop.es256()).nonce(fresh).sign()).status())
                .isEqualTo(200);
    }

    @Test
    void aNonceNotFerrysIsRefused() {
        String forged = nonceFrom(a).substring(0, 20) + "AAAAAAAAAAAA";

        Response refused = exchange(a, proof(TestDpop.es256()).nonce(forged).sign());

        assertThat(refused.json().get("error").stringValue()).isEqualTo("use_dpop_nonce");
    }

    @Test
    void aProofIsAcceptedOnceWhicheverReplicaItReaches() throws Exception {
        String proof = proof(TestDpop.es256()).nonce(nonceFrom(a)).sign();
        int attempts = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        List<Response> answers = new ArrayList<>();
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                ConfigurableApplicationContext replica = i % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    go.await();
                    return exchange(replica, proof);
                }));
            }
            go.countDown();
            for (Future<Response> answer : futures) {
                answers.add(answer.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(1);
        assertThat(answers)
                .filteredOn(r -> r.status() == 400)
                .hasSize(attempts - 1)
                .allSatisfy(r -> assertThat(r.json().get("error_description").stringValue())
                        .contains("used before"));
    }

    @Test
    void pruningByTheDatabaseClockKeepsProofsAReplicaStillAcceptsAndDropsTheRest() throws Exception {
        String proof = proof(TestDpop.es256()).nonce(nonceFrom(a)).sign();
        assertThat(exchange(a, proof).status()).isEqualTo(200);
        JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
        Object guard = b.getBean(Class.forName("dev.ferry.dpop.ProofReplayGuard"));

        ReflectionTestUtils.invokeMethod(guard, "prune");

        assertThat(exchange(b, proof).json().get("error_description").stringValue())
                .as("still refused after a prune: the proof is young")
                .contains("used before");
        assertThat(jdbc.queryForObject("select count(*) from dpop_proof_use", Long.class))
                .isGreaterThan(0);
        jdbc.update(
                "update dpop_proof_use set expires_at = ?",
                java.sql.Timestamp.from(Instant.now().minus(Duration.ofHours(1))));
        ReflectionTestUtils.invokeMethod(guard, "prune");
        assertThat(jdbc.queryForObject("select count(*) from dpop_proof_use", Long.class))
                .isZero();
    }
}
