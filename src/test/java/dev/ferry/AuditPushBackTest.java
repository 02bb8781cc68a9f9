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
 * No token leaves Ferry before its audit event is stored. The writer is held up by stopping it, as a
 * database that does not keep up would. An issued exchange waits for its event to be written, up to
 * {@code ferry.audit.max-wait}; then it is answered {@code temporarily_unavailable}, its token never
 * leaves Ferry, its subject token's {@code jti} is given back (so the retry the answer asks for is
 * served), and the audit log records it as not handed out. Refusals wait only for room in the queue,
 * and when the queue is full, exchanges wait for room (push-back) rather than lose an event.
 */
class AuditPushBackTest {

    private static final String TARGET = "https://pushback.example.com";
    private static final Duration MAX_WAIT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anIssuedTokenWaitsForItsEventAndIsNotHandedOutWhenItCannotBeStored() throws Exception {
        try (TestIssuer ci = new TestIssuer().start();
                StandaloneFerry ferry = StandaloneFerry.start(
                        dir,
                        ci,
                        TARGET,
                        "replayProtection: true",
                        "--ferry.audit.queue-capacity=3",
                        "--ferry.audit.max-wait=" + MAX_WAIT.toMillis() + "ms")) {
            URI token = ferry.tokenEndpoint();
            AuditLog audit = ferry.context().getBean(AuditLog.class);
            audit.stop();
            Set<String> answered = new HashSet<>();

            // Its event cannot be written: after max-wait, a retryable 503 and no token.
            String refusedToken = ci.github().sign();
            long start = System.nanoTime();
            HttpResponse<String> refused = exchange(token, refusedToken);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            JsonNode error = FerryIntegrationTest.JSON.readTree(refused.body());
            assertThat(error.get("error").stringValue()).isEqualTo("temporarily_unavailable");
            assertThat(error.has("access_token")).isFalse();
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(waitedMs).as("waited for its event first").isGreaterThanOrEqualTo(MAX_WAIT.toMillis() - 50);
            String notHandedOut = error.get("exchange_id").stringValue();

            // Refusals do not wait for their write: two bad tokens fill the queue (three events).
            assertThat(exchange(token, "garbage").statusCode()).isEqualTo(400);
            assertThat(exchange(token, "garbage").statusCode()).isEqualTo(400);
            assertThat(audit.backlog()).isEqualTo(3);

            // The queue is full: the next exchange waits for room; the writer starts; it is served.
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
            Set<String> issued = new HashSet<>();
            String notHandedOutOutcome = null;
            try (Connection connection = DriverManager.getConnection(ferry.database(), "sa", "");
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "select id, outcome, detail from audit_event where kind = 'exchange'")) {
                while (rows.next()) {
                    if ("issued".equals(rows.getString(2))) {
                        issued.add(rows.getString(1));
                    }
                    if (notHandedOut.equals(rows.getString(1))) {
                        notHandedOutOutcome = rows.getString(2) + ": " + rows.getString(3);
                    }
                }
            }
            assertThat(issued)
                    .as("every token handed out is audited as issued, and only those")
                    .isEqualTo(answered);
            assertThat(notHandedOutOutcome)
                    .as("the exchange whose token was not handed out says so")
                    .startsWith("refused: ")
                    .contains("not handed out");
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
