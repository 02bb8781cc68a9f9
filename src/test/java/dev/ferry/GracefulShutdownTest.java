package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping Ferry while exchanges pour in loses no audit event: every exchange a client got an
 * answer for (an exchange id, in the header or the error body) is in the audit log afterwards.
 */
class GracefulShutdownTest {

    @TempDir
    Path dir;

    @Test
    void everyAnsweredExchangeIsAuditedAcrossAGracefulShutdownUnderLoad() throws Exception {
        try (TestIssuer ci = new TestIssuer().start()) {
            StandaloneFerry ferry = StandaloneFerry.start(dir, ci, "https://shutdown.example.com", "");
            List<String> tokens = java.util.stream.IntStream.range(0, 50)
                    .mapToObj(i -> ci.github().sign())
                    .toList();

            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            for (int c = 0; c < 8; c++) {
                int offset = c;
                clients.submit(() -> {
                    for (int i = offset; running.get(); i++) {
                        String token = i % 5 == 0 ? "garbage" : tokens.get(i % tokens.size());
                        try {
                            HttpResponse<String> response = http.send(
                                    HttpRequest.newBuilder(ferry.tokenEndpoint())
                                            .header("Content-Type", "application/x-www-form-urlencoded")
                                            .POST(HttpRequest.BodyPublishers.ofString(
                                                    "grant_type=" + FerryIntegrationTest.GRANT_TYPE + "&subject_token="
                                                            + token + "&subject_token_type="
                                                            + FerryIntegrationTest.ID_TOKEN_TYPE
                                                            + "&audience=https://shutdown.example.com"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            String id = response.headers()
                                    .firstValue("Ferry-Exchange-Id")
                                    .orElseGet(() -> FerryIntegrationTest.JSON
                                            .readTree(response.body())
                                            .path("exchange_id")
                                            .asString(null));
                            if (id != null) {
                                answered.add(id);
                            }
                        } catch (Exception refusedOnceStopped) {
                            // connections refused or reset once the server stopped accepting
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(1500);
            ferry.close();
            running.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            assertThat(answered).hasSizeGreaterThan(50);
            Set<String> audited = new HashSet<>();
            try (Connection connection = DriverManager.getConnection(ferry.database(), "sa", "");
                    ResultSet rows = connection
                            .createStatement()
                            .executeQuery("select id from audit_event where kind = 'exchange'")) {
                while (rows.next()) {
                    audited.add(rows.getString(1));
                }
            }
            assertThat(audited).containsAll(answered);
        }
    }
}
