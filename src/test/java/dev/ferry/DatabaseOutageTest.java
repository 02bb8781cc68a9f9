package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The database goes away under a running Ferry (an H2 server it reaches over TCP, stopped and
 * started again): the admin API and introspection answer 503 with Retry-After within the pool's
 * 5 s wait, never a 500; exchanges go on from the rules in memory; and once the database is back,
 * everything answers again and the exchange made during the outage is in the audit log.
 */
class DatabaseOutageTest {

    private static final String TARGET = "https://outage.example.com";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void whileTheDatabaseIsDownAdminAndIntrospectionAnswer503AndExchangesGoOn() throws Exception {
        String port = String.valueOf(FerryIntegrationTest.freePort());
        Server database = Server.createTcpServer(
                        "-tcpPort",
                        port,
                        "-ifNotExists",
                        "-baseDir",
                        dir.resolve("db").toString())
                .start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/./ferry";
        try (TestIssuer ci = new TestIssuer().start();
                StandaloneFerry ferry = StandaloneFerry.start(
                        dir,
                        ci,
                        TARGET,
                        "",
                        "--spring.datasource.url=" + url,
                        "--ferry.admin.bootstrap-token=" + FerryIntegrationTest.BOOTSTRAP_TOKEN)) {
            assertThat(issuers(ferry).statusCode()).isEqualTo(200);

            database.stop();

            HttpResponse<String> admin = issuers(ferry);
            assertThat(admin.statusCode()).as(admin.body()).isEqualTo(503);
            assertThat(admin.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(admin.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(admin).get("type").stringValue()).isEqualTo("urn:ferry:problem:unavailable");

            HttpResponse<String> introspection = send(HttpRequest.newBuilder(ferry.uri("/introspect"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header(
                            "Authorization",
                            "Basic "
                                    + Base64.getEncoder()
                                            .encodeToString("gateway:secret".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("token=anything")));
            assertThat(introspection.statusCode()).as(introspection.body()).isEqualTo(503);
            assertThat(introspection.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(json(introspection).get("error").stringValue()).isEqualTo("temporarily_unavailable");

            HttpResponse<String> exchange = send(HttpRequest.newBuilder(ferry.tokenEndpoint())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                            + "&subject_token=" + ci.github().sign() + "&subject_token_type="
                            + FerryIntegrationTest.ID_TOKEN_TYPE + "&audience=" + TARGET)));
            assertThat(exchange.statusCode())
                    .as("served from the rules in memory: %s", exchange.body())
                    .isEqualTo(200);
            String exchangeId =
                    exchange.headers().firstValue("Ferry-Exchange-Id").orElseThrow();

            database = Server.createTcpServer(
                            "-tcpPort",
                            port,
                            "-ifNotExists",
                            "-baseDir",
                            dir.resolve("db").toString())
                    .start();
            Instant deadline = Instant.now().plusSeconds(30);
            int status;
            do {
                // A pause between tries: the pool checks a connection idle for over 0.5 s before lending it,
                // which is how it drops those the outage broke (H2's error for them is not one it knows as fatal).
                Thread.sleep(1000);
                status = issuers(ferry).statusCode();
            } while (status != 200 && Instant.now().isBefore(deadline));
            assertThat(status).as("the admin API once the database is back").isEqualTo(200);

            ferry.close();
            try (Connection connection = DriverManager.getConnection(url, "sa", "");
                    PreparedStatement query =
                            connection.prepareStatement("select outcome from audit_event where id = ?")) {
                query.setString(1, exchangeId);
                try (ResultSet row = query.executeQuery()) {
                    assertThat(row.next())
                            .as("the exchange made during the outage is audited")
                            .isTrue();
                    assertThat(row.getString(1)).isEqualTo("issued");
                }
            }
        } finally {
            database.stop();
        }
    }

    private static HttpResponse<String> issuers(StandaloneFerry ferry) throws Exception {
        return send(HttpRequest.newBuilder(ferry.uri("/admin/v1/issuers"))
                .header("Authorization", "Bearer " + FerryIntegrationTest.BOOTSTRAP_TOKEN)
                .GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return FerryIntegrationTest.JSON.readTree(response.body());
    }
}
