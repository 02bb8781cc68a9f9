package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.ferry.testing.TestIssuer;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * No token leaves Ferry before its audit event is stored, even when the process dies: Ferry runs in a
 * JVM of its own, exchanges pour in from 16 clients, the process is killed without warning (SIGKILL),
 * Ferry starts again on the same database, and every token a client received has its {@code issued}
 * event (matched by the token's {@code jti}). On the embedded H2 default, and on PostgreSQL.
 */
class AuditCrashTest {

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(240);

    private static final String TARGET = "https://crash.example.com";
    private static final int CLIENTS = 16;

    @TempDir
    Path dir;

    @Test
    void everyTokenHandedOutIsAuditedAfterAKillOnTheEmbeddedH2() throws Exception {
        Set<String> received = exchangeThenKillThenRestart(List.of());

        Set<String> audited = issuedTokenIds(
                "jdbc:h2:file:" + dir.resolve("data").resolve("ferry").toAbsolutePath() + ";AUTO_SERVER=FALSE", "sa");
        assertThat(received).as("tokens received before the kill").hasSizeGreaterThan(20);
        assertThat(audited).containsAll(received);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = TestDatabase.URL_VARIABLE, matches = ".+")
    void everyTokenHandedOutIsAuditedAfterAKillOnPostgres() throws Exception {
        String url = TestDatabase.freshPostgresSchema("ferry_crash");
        Set<String> received = exchangeThenKillThenRestart(
                List.of("--spring.datasource.url=" + url, "--spring.flyway.schemas=ferry_crash"));

        Set<String> audited = issuedTokenIds(url, null);
        assertThat(received).as("tokens received before the kill").hasSizeGreaterThan(20);
        assertThat(audited).containsAll(received);
    }

    /** The jti of every token clients received before Ferry was killed. */
    private Set<String> exchangeThenKillThenRestart(List<String> database) throws Exception {
        try (TestIssuer ci = new TestIssuer().start()) {
            Path definitions = Files.writeString(dir.resolve("ferry.yaml"), """
                    issuers:
                      - {name: ci, type: github, issuerUrl: "%s", acceptedAudiences: [ferry]}
                    rules:
                      - name: allow
                        issuer: ci
                        effect: allow
                        conditions: [{claim: repository_owner_id, operator: equals, value: "4242"}]
                        targets: ["%s"]
                    """.formatted(ci.url(), TARGET));
            int port = FerryIntegrationTest.freePort();
            List<String> args = new ArrayList<>(List.of(
                    "--server.port=" + port,
                    "--ferry.issuer=https://ferry.crash.example.com",
                    "--ferry.data-dir=" + dir.resolve("data"),
                    "--ferry.federation.allow-insecure-http=true",
                    "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY,
                    "--ferry.bootstrap.file=" + definitions,
                    "--ferry.rate-limit.enabled=false"));
            args.addAll(database);
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tokens.add(ci.github().sign());
            }

            Process ferry = start(args, "first");
            Set<String> received = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                int offset = c;
                clients.submit(() -> {
                    for (int i = offset; running.get(); i += CLIENTS) {
                        exchange(http, port, tokens.get(i % tokens.size()), received);
                    }
                    return null;
                });
            }
            Thread.sleep(3_000);
            ferry.destroyForcibly();
            assertThat(ferry.waitFor(30, TimeUnit.SECONDS)).isTrue();
            running.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            // The same database, started again (H2 recovers its store), then stopped gracefully.
            Process again = start(args, "restarted");
            again.destroy();
            assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return Set.copyOf(received);
        }
    }

    private static void exchange(HttpClient http, int port, String token, Set<String> received) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                                    + "&subject_token=" + token + "&subject_token_type="
                                    + FerryIntegrationTest.ID_TOKEN_TYPE + "&audience=" + TARGET))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                String accessToken = FerryIntegrationTest.JSON
                        .readTree(response.body())
                        .get("access_token")
                        .stringValue();
                received.add(SignedJWT.parse(accessToken).getJWTClaimsSet().getJWTID());
            }
        } catch (IOException | java.text.ParseException killed) {
            // the connection died with the process: no token was received
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ferry in a JVM of its own, on the tests' class path; returns once it is ready. */
    private Process start(List<String> args, String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                FerryApplication.class.getName()));
        command.addAll(args);
        File log = dir.resolve(name + ".log").toFile();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        String port = args.get(0).substring("--server.port=".length());
        HttpClient http = HttpClient.newHttpClient();
        // Generous: a JVM starting on two cores shared with other builds has taken over 90 s.
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive())
                    .as("Ferry (%s) exited: %s", name, Files.readString(log.toPath()))
                    .isTrue();
            try {
                HttpResponse<String> ready = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new AssertionError("Ferry (" + name + ") was not ready within " + STARTUP_LIMIT);
    }

    private static Set<String> issuedTokenIds(String url, String user) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(url, user, user == null ? null : "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "select token_id from audit_event where kind = 'exchange' and outcome = 'issued'")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }
}
