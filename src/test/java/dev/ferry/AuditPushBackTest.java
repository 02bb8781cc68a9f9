package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.audit.AuditLog;
import dev.ferry.testing.TestIssuer;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * When the audit writer falls behind, exchanges wait for room in its queue (push-back) instead of
 * losing events; one that finds no room within {@code ferry.audit.max-wait} is answered
 * {@code temporarily_unavailable}, its token never leaves Ferry, and its subject token's {@code jti}
 * is given back, so the retry the answer asks for succeeds. The writer is held up by stopping it, as
 * a database that does not keep up would.
 */
class AuditPushBackTest {

    private static final String TARGET = "https://pushback.example.com";
    private static final Duration MAX_WAIT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void fullQueueMakesExchangesWaitThenRefusesThemRetryablyWithoutLosingEvents() throws Exception {
        try (TestIssuer ci = new TestIssuer().start();
                StandaloneFerry ferry = StandaloneFerry.start(
                        dir,
                        ci,
                        TARGET,
                        "replayProtection: true",
                        "--ferry.audit.queue-capacity=2",
                        "--ferry.audit.max-wait=" + MAX_WAIT.toMillis() + "ms")) {
            URI token = ferry.tokenEndpoint();
            AuditLog audit = ferry.context().getBean(AuditLog.class);
            audit.stop();
            Set<String> answered = new HashSet<>();

            // Two events fill the queue; their exchanges do not wait.
            answered.add(issued(exchange(token, ci.github().sign())));
            answered.add(issued(exchange(token, ci.github().sign())));
            assertThat(audit.backlog()).isEqualTo(2);

            // The third waits for room, max-wait long, then is refused, retryably.
            String refusedToken = ci.github().sign();
            long start = System.nanoTime();
            HttpResponse<String> refused = exchange(token, refusedToken);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            JsonNode error = FerryIntegrationTest.JSON.readTree(refused.body());
            assertThat(error.get("error").stringValue()).isEqualTo("temporarily_unavailable");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(waitedMs).as("waited for room before refusing").isGreaterThanOrEqualTo(MAX_WAIT.toMillis() - 50);
            assertThat(audit.backlog())
                    .as("the events already queued are still there")
                    .isEqualTo(2);

            // A fourth waits until the writer makes room, then is served.
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                    () -> exchangeUnchecked(token, ci.github().sign()));
            LongTaskTimer inFlight = ferry.context()
                    .getBean(MeterRegistry.class)
                    .get("http.server.requests.active")
                    .longTaskTimer();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inFlight.activeTasks() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(300);
            assertThat(inFlight.activeTasks()).as("the exchange is in Ferry").isEqualTo(1);
            assertThat(waiting).as("pushed back while the queue is full").isNotDone();
            audit.start();
            answered.add(issued(waiting.get(10, TimeUnit.SECONDS)));

            // The refused exchange's subject token was given back: its retry is served, once.
            answered.add(issued(exchange(token, refusedToken)));
            HttpResponse<String> replay = exchange(token, refusedToken);
            assertThat(replay.statusCode()).isEqualTo(400);
            assertThat(replay.body()).contains("already exchanged");

            assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
            Set<String> audited = new HashSet<>();
            try (Connection connection = DriverManager.getConnection(ferry.database(), "sa", "");
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "select id from audit_event where kind = 'exchange' and outcome = 'issued'")) {
                while (rows.next()) {
                    audited.add(rows.getString(1));
                }
            }
            assertThat(audited)
                    .as("every issued token is audited, and only those")
                    .isEqualTo(answered);
        }
    }

    /** The exchange id of a successful exchange, after checking that it succeeded. */
    private static String issued(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("Ferry-Exchange-Id").orElseThrow();
    }

    private HttpResponse<String> exchange(URI token, String subjectToken) throws Exception {
        return http.send(
                HttpRequest.newBuilder(token)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                                + "&subject_token=" + subjectToken + "&subject_token_type="
                                + FerryIntegrationTest.ID_TOKEN_TYPE + "&audience=" + TARGET))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> exchangeUnchecked(URI token, String subjectToken) {
        try {
            return exchange(token, subjectToken);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
