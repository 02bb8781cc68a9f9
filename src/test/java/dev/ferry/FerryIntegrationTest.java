package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.audit.AuditLog;
import dev.ferry.testing.TestOpenIdProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A running Ferry on a real port, on a real database, driven over HTTP. Subclasses share one
 * application context per database backend; they keep out of each other's way by using their own
 * issuers (their own {@code TestIssuer}, so their own issuer URL) and their own rule names and targets.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Tag("postgresql")
@ExtendWith(TestDatabase.Available.class)
public abstract class FerryIntegrationTest {

    public static final String BOOTSTRAP_TOKEN = "test-bootstrap-token-0123456789abcdef";
    /** A fixed AES-256 key for tests only. */
    public static final String ENCRYPTION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    public static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";

    protected static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int H2_PORT = freePort();

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected AuditLog auditLog;

    @Value("${ferry.issuer}")
    protected String ferryIssuer;

    @DynamicPropertySource
    static void ferryProperties(DynamicPropertyRegistry registry) {
        registry.add("ferry.admin.bootstrap-token", () -> BOOTSTRAP_TOKEN);
        registry.add("ferry.federation.allow-insecure-http", () -> "true");
        registry.add("ferry.keys.encryption-key", () -> ENCRYPTION_KEY);
        registry.add("ferry.rate-limit.per-address", () -> "1000000");
        registry.add("ferry.rate-limit.per-subject", () -> "1000000");
        registry.add("ferry.data-dir", () -> System.getProperty("java.io.tmpdir") + "/ferry-test-data");
        registry.add("server.port", FerryIntegrationTest::port);
        registry.add("ferry.issuer", () -> "http://127.0.0.1:" + port());
        // The console's OpenID sign-in, with the provider the console tests start on first use.
        registry.add("ferry.console.oidc.issuer", () -> TestOpenIdProvider.ISSUER);
        registry.add("ferry.console.oidc.client-id", () -> TestOpenIdProvider.CLIENT_ID);
        registry.add("ferry.console.oidc.scopes", () -> "openid,profile");
        if (TestDatabase.POSTGRESQL.selected()) {
            registry.add("spring.datasource.url", TestDatabase::postgresUrl);
            registry.add("spring.flyway.schemas", () -> TestDatabase.SCHEMA);
        } else {
            registry.add("spring.datasource.url", () -> "jdbc:h2:mem:ferry-it;DB_CLOSE_DELAY=-1");
        }
    }

    /** The port of this backend's Ferry; the PostgreSQL suite overrides the datasource and port. */
    protected static int port() {
        return H2_PORT;
    }

    /** Ferry's issuer URL, which is also where it listens in these tests. */
    protected String baseUrl() {
        return ferryIssuer;
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---- admin API ----

    protected Response admin(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + BOOTSTRAP_TOKEN)
                .timeout(Duration.ofSeconds(20));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            String json = body instanceof String s ? s : JSON.writeValueAsString(body);
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return send(request.build());
    }

    /** Creates (or fails the test) and returns the created resource. */
    protected JsonNode create(String collection, Object body) {
        Response response = admin("POST", "/admin/v1/" + collection, body);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    protected Map<String, Object> issuerFor(String name, String issuerUrl, String audience) {
        Map<String, Object> issuer = new LinkedHashMap<>();
        issuer.put("name", name);
        issuer.put("type", "github");
        issuer.put("issuerUrl", issuerUrl);
        issuer.put("acceptedAudiences", List.of(audience));
        return issuer;
    }

    protected static Map<String, Object> rule(
            String name,
            String issuer,
            String effect,
            List<Map<String, Object>> conditions,
            List<String> targets,
            List<String> scopes) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("name", name);
        rule.put("issuer", issuer);
        rule.put("effect", effect);
        rule.put("conditions", conditions);
        rule.put("targets", targets);
        rule.put("scopes", scopes);
        return rule;
    }

    protected static Map<String, Object> condition(String claim, String operator, Object value) {
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("claim", claim);
        condition.put("operator", operator);
        if (value instanceof List<?>) {
            condition.put("values", value);
        } else if (value != null) {
            condition.put("value", value);
        }
        return condition;
    }

    // ---- token endpoint ----

    protected Response exchange(String subjectToken, String audience) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("subject_token", subjectToken);
        form.put("subject_token_type", ID_TOKEN_TYPE);
        form.put("audience", audience);
        return postForm(form);
    }

    protected Response postForm(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return postRawForm(body);
    }

    protected Response postRawForm(String body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(20))
                .build());
    }

    protected Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET().build());
    }

    protected static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- audit ----

    /** The audit row of one exchange, once every recorded event is written. */
    protected Map<String, Object> auditEvent(String exchangeId) {
        flushAudit();
        List<Map<String, Object>> rows = jdbc.queryForList("select * from audit_event where id = ?", exchangeId);
        assertThat(rows).as("audit event %s", exchangeId).hasSize(1);
        Map<String, Object> row = new LinkedHashMap<>();
        rows.get(0).forEach((k, v) -> row.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return row;
    }

    protected long issuedEvents() {
        flushAudit();
        Long count = jdbc.queryForObject("select count(*) from audit_event where outcome = 'issued'", Long.class);
        return count == null ? 0 : count;
    }

    protected void flushAudit() {
        try {
            assertThat(auditLog.flush(Duration.ofSeconds(10)))
                    .as("audit log flushed")
                    .isTrue();
            auditLog.flushUsage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        return dev.ferry.testing.TestPorts.unused();
    }

    /** An HTTP response, with its JSON body parsed on demand. */
    public record Response(int status, String body, Map<String, List<String>> headers) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }
}
