package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.FerryIntegrationTest;
import dev.ferry.StandaloneFerry;
import dev.ferry.testing.TestIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the action and the component do when Ferry cannot answer now: a real Ferry's rate limit (429 with
 * Retry-After) is waited out, a 503 is retried a bounded number of times, a request that gets no answer times out,
 * and an address where nothing listens fails at once, saying where it tried.
 */
class CiRetryTest {

    private static final String TARGET = "https://retry.example.com";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path ferryDir;

    @TempDir
    Path dir;

    private static TestIssuer ci;
    private static StandaloneFerry ferry;
    private static GitHubOidcEndpoint oidc;
    private final List<String> secrets = new ArrayList<>();
    private final List<Shell.Run> runs = new ArrayList<>();
    private final List<AutoCloseable> standIns = new ArrayList<>();

    @BeforeAll
    static void startFerry() throws Exception {
        ci = new TestIssuer().start();
        // One exchange per subject every 2 s: a second exchange right after the first is answered 429.
        ferry = StandaloneFerry.start(
                ferryDir,
                ci,
                TARGET,
                "",
                "--ferry.rate-limit.enabled=true",
                "--ferry.rate-limit.per-subject=1",
                "--ferry.rate-limit.period=2s");
        oidc = new GitHubOidcEndpoint(audience -> ci.github().audience(audience).sign());
    }

    @AfterAll
    static void stopFerry() {
        if (oidc != null) {
            oidc.close();
        }
        if (ferry != null) {
            ferry.close();
        }
        if (ci != null) {
            ci.close();
        }
    }

    @BeforeEach
    void tools() {
        Shell.assumeInstalled("bash", "curl", "jq");
    }

    @AfterEach
    void neitherTokenWasPrinted() throws Exception {
        for (AutoCloseable standIn : standIns) {
            standIn.close();
        }
        List<String> all = new ArrayList<>(secrets);
        all.addAll(oidc.minted());
        runs.forEach(run -> run.assertLeaksNone(all, true));
    }

    @Test
    void theActionWaitsOutARateLimitAsRetryAfterSaysThenGetsItsToken() throws Exception {
        useUpTheSubjectsBudget();

        GitHubAction.Result result = github(
                Map.of("ferry-url", url(), "audience", TARGET, "id-token-audience", TestIssuer.DEFAULT_AUDIENCE));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        secrets.add(result.outputs().get("access-token"));
        assertThat(result.outputs().get("access-token")).isNotBlank();
        String waited = result.run()
                .stderr()
                .replaceAll(
                        "(?s).*Ferry answered HTTP 429 \\(temporarily_unavailable: [^)]*\\); retrying in (\\d+) s.*",
                        "$1");
        assertThat(Integer.parseInt(waited)).isBetween(1, 3);
        assertThat(result.run().took()).isGreaterThanOrEqualTo(Duration.ofSeconds(Integer.parseInt(waited)));
    }

    @Test
    void theComponentWaitsOutARateLimitToo() throws Exception {
        useUpTheSubjectsBudget();
        Path probe = Files.createDirectories(dir.resolve("probe"));

        GitLabComponent.Job job = new GitLabComponent()
                .run(
                        "dash",
                        Map.of(
                                "ferry-url",
                                url(),
                                "audience",
                                TARGET,
                                "id-token-audience",
                                TestIssuer.DEFAULT_AUDIENCE),
                        audience -> remember(ci.github().audience(audience).sign()),
                        List.of("printf '%s' \"$FERRY_ACCESS_TOKEN\" > \"$FERRY_PROBE/token\""),
                        Map.of("FERRY_PROBE", probe.toString()),
                        dir);
        runs.add(job.run());

        assertThat(job.run().exitCode()).as(job.run().toString()).isZero();
        assertThat(job.run().stderr()).contains("Ferry answered HTTP 429 (temporarily_unavailable");
        secrets.add(Files.readString(probe.resolve("token")));
        assertThat(Files.readString(probe.resolve("token"))).startsWith("eyJ");
    }

    @Test
    void a503IsRetriedOnlyAsOftenAsRetriesSays() {
        AtomicInteger requests = new AtomicInteger();
        String standIn = standIn(exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "1");
            answer(
                    exchange,
                    503,
                    "{\"error\":\"temporarily_unavailable\",\"error_description\":\"database unavailable\","
                            + "\"exchange_id\":\"00000000-0000-0000-0000-000000000503\"}");
        });

        GitHubAction.Result result =
                github(Map.of("ferry-url", standIn, "audience", TARGET, "id-token-audience", "ferry", "retries", "2"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isEqualTo(1);
        assertThat(requests).hasValue(3);
        assertThat(result.run().took()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
        assertThat(result.run().stderr())
                .contains(
                        "Ferry answered HTTP 503 (temporarily_unavailable: database unavailable); retrying in 1 s (2 retries left)")
                .contains("retrying in 1 s (1 retries left)");
        assertThat(result.run().stdout())
                .contains("::error title=Ferry refused the token exchange::error: temporarily_unavailable")
                .contains("exchange_id: 00000000-0000-0000-0000-000000000503")
                .contains("gave up after 3 attempts");
    }

    @Test
    void aFerryThatDoesNotAnswerTimesOut() {
        String standIn = standIn(exchange -> {
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, "{}");
        });

        GitHubAction.Result result =
                github(Map.of("ferry-url", standIn, "audience", TARGET, "id-token-audience", "ferry", "timeout", "1"));

        assertThat(result.run().exitCode()).isEqualTo(1);
        assertThat(result.run().took()).isLessThan(Duration.ofSeconds(10));
        assertThat(result.run().stdout())
                .contains("::error title=Ferry could not be reached::no complete answer from " + standIn
                        + "/token within 1 s (timeout)");
    }

    @Test
    void anAddressWhereNothingListensFailsAtOnceSayingWhere() {
        String closed = "http://127.0.0.1:" + Shell.freePort();

        GitHubAction.Result result = github(Map.of("ferry-url", closed, "audience", TARGET));
        GitLabComponent.Job job = new GitLabComponent()
                .run(
                        "dash",
                        Map.of("ferry-url", closed, "audience", TARGET),
                        audience -> remember(ci.github().audience(audience).sign()),
                        List.of(),
                        Map.of(),
                        dir);
        runs.add(job.run());

        assertThat(result.run().exitCode()).isEqualTo(1);
        assertThat(result.run().took()).isLessThan(Duration.ofSeconds(10));
        assertThat(result.run().stdout())
                .contains("::error title=Ferry could not be reached::could not connect to " + closed + "/token")
                .contains("check ferry-url ('" + closed + "')");
        assertThat(job.run().exitCode()).isEqualTo(1);
        assertThat(job.run().stderr())
                .contains("ERROR: Ferry could not be reached")
                .contains("could not connect to " + closed + "/token");
    }

    private String url() {
        return "http://127.0.0.1:" + ferry.port();
    }

    private String remember(String token) {
        secrets.add(token);
        return token;
    }

    /** One exchange of the subject the scripts' ID tokens carry, so their first attempt is rate limited. */
    private void useUpTheSubjectsBudget() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(ferry.tokenEndpoint())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + FerryIntegrationTest.GRANT_TYPE
                                + "&subject_token_type=" + FerryIntegrationTest.ID_TOKEN_TYPE
                                + "&subject_token=" + ci.github().sign() + "&audience=" + TARGET))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isIn(200, 429);
    }

    private GitHubAction.Result github(Map<String, String> inputs) {
        GitHubAction.Result result = new GitHubAction()
                .run(
                        inputs,
                        Map.of(
                                "ACTIONS_ID_TOKEN_REQUEST_URL", oidc.requestUrl(),
                                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", oidc.requestToken()),
                        dir);
        runs.add(result.run());
        return result;
    }

    /** A server on 127.0.0.1 that answers every request with {@code handler}; its URL. */
    private String standIn(HttpHandler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool();
            server.setExecutor(executor);
            server.createContext("/", handler);
            server.start();
            standIns.add(() -> {
                server.stop(0);
                executor.shutdownNow();
            });
            return "http://127.0.0.1:" + server.getAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) {
        try (exchange) {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            // the client gave up (timeout test)
        }
    }
}
