package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestDpop;
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
 * 5 s wait, never a 500; an exchange is granted from the rules in memory but its token is not handed
 * out, since its audit event cannot be stored: a retryable 503 after {@code ferry.audit.max-wait};
 * and once the database is back, everything answers again, the same subject token's retry is served,
 * and the audit log says which exchange was not handed out and which was.
 */
class DatabaseOutageTest {

    private static final String TARGET = "https://outage.example.com";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void whileTheDatabaseIsDownEveryEndpointAnswers503AndNoTokenLeavesUnaudited() throws Exception {
        String port = String.valueOf(FerryIntegrationTest.freePort());
        Server database = h2Server(port);
        String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/./ferry";
        try (TestIssuer ci = new TestIssuer().start();
                StandaloneFerry ferry = StandaloneFerry.start(
                        dir,
                        ci,
                        TARGET,
                        "",
                        "--spring.datasource.url=" + url,
                        "--ferry.audit.max-wait=3s",
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

            String subjectToken = ci.github().sign();
            HttpResponse<String> duringOutage = exchange(ferry, subjectToken);
            assertThat(duringOutage.statusCode())
                    .as("no token without its audit event: %s", duringOutage.body())
                    .isEqualTo(503);
            assertThat(duringOutage.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(duringOutage).get("error").stringValue()).isEqualTo("temporarily_unavailable");
            assertThat(json(duringOutage).has("access_token")).isFalse();
            String notHandedOut = json(duringOutage).get("exchange_id").stringValue();

            database = h2Server(port);
            Instant deadline = Instant.now().plusSeconds(30);
            int status;
            do {
                // A pause between tries: the pool checks a connection idle for over 0.5 s before lending it,
                // which is how it drops those the outage broke (H2's error for them is not one it knows as fatal).
                Thread.sleep(1000);
                status = issuers(ferry).statusCode();
            } while (status != 200 && Instant.now().isBefore(deadline));
            assertThat(status).as("the admin API once the database is back").isEqualTo(200);
            HttpResponse<String> retried = exchange(ferry, subjectToken);
            assertThat(retried.statusCode())
                    .as("the retry the 503 asked for: %s", retried.body())
                    .isEqualTo(200);
            String handedOut = retried.headers().firstValue("Ferry-Exchange-Id").orElseThrow();

            ferry.close();
            try (Connection connection = DriverManager.getConnection(url, "sa", "");
                    PreparedStatement query =
                            connection.prepareStatement("select outcome, detail from audit_event where id = ?")) {
                query.setString(1, notHandedOut);
                try (ResultSet row = query.executeQuery()) {
                    assertThat(row.next())
                            .as("the exchange of the outage is audited")
                            .isTrue();
                    assertThat(row.getString(1)).isEqualTo("refused");
                    assertThat(row.getString(2)).contains("not handed out");
                }
                query.setString(1, handedOut);
                try (ResultSet row = query.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString(1)).isEqualTo("issued");
                }
            }
        } finally {
            database.stop();
        }
    }

    /**
     * With an issuer's {@code replayProtection} and a DPoP proof, the two {@code jti}s are used up in one
     * transaction: one that cannot begin is the database's outage too, a retryable 503, not a 500.
     */
    @Test
    void aDpopExchangeWithReplayProtectionAnswers503WhileTheDatabaseIsDown() throws Exception {
        String port = String.valueOf(FerryIntegrationTest.freePort());
        Server database = h2Server(port);
        try (TestIssuer ci = new TestIssuer().start();
                StandaloneFerry ferry = StandaloneFerry.start(
                        dir,
                        ci,
                        TARGET,
                        "replayProtection: true",
                        "--spring.datasource.url=jdbc:h2:tcp://127.0.0.1:" + port + "/./ferry")) {
            TestDpop key = TestDpop.es256();
            HttpResponse<String> before = exchange(
                    ferry,
                    ci.github().sign(),
                    key.proof("POST", ferry.tokenEndpoint().toString()).sign());
            assertThat(before.statusCode()).as(before.body()).isEqualTo(200);

            database.stop();

            for (String proof : new String[] {
                key.proof("POST", ferry.tokenEndpoint().toString()).sign(), null
            }) {
                HttpResponse<String> during = exchange(ferry, ci.github().sign(), proof);
                assertThat(during.statusCode())
                        .as("%s proof: %s", proof == null ? "without a" : "with a", during.body())
                        .isEqualTo(503);
                assertThat(during.headers().firstValue("Retry-After")).isPresent();
                assertThat(json(during).get("error").stringValue()).isEqualTo("temporarily_unavailable");
            }
        } finally {
            database.stop();
        }
    }

    /** An H2 server on {@code port}, over the database files in this test's directory. */
    private Server h2Server(String port) throws java.sql.SQLException {
        return Server.createTcpServer(
                        "-tcpPort",
                        port,
                        "-ifNotExists",
                        "-baseDir",
                        dir.resolve("db").toString())
                .start();
    }

    private static HttpResponse<String> exchange(StandaloneFerry ferry, String subjectToken) throws Exception {
        return exchange(ferry, subjectToken, null);
    }

    private static HttpResponse<String> exchange(StandaloneFerry ferry, String subjectToken, String dpopProof)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(ferry.tokenEndpoint())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                        + "&subject_token=" + subjectToken + "&subject_token_type="
                        + FerryIntegrationTest.ID_TOKEN_TYPE + "&audience=" + TARGET));
        if (dpopProof != null) {
            request.header("DPoP", dpopProof);
        }
        return send(request);
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
