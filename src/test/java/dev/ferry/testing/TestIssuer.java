package dev.ferry.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OIDC issuer for tests: an in-process HTTP server on {@code 127.0.0.1} serving discovery and a JWKS, plus
 * minting of GitHub Actions / GitLab CI shaped ID tokens signed with real RSA keys.
 *
 * <p>Use it as a JUnit extension on a <em>static</em> field ({@code @RegisterExtension static TestIssuer issuer =
 * new TestIssuer();}) or manually with {@link #start()} and {@link #close()}. Starting a running issuer is a no-op;
 * a closed issuer may be started again (on a new port, keeping its keys).
 *
 * <p>Endpoints: {@code GET <url()>/.well-known/openid-configuration} and {@code GET /.well-known/jwks} (always at
 * the server root, like GitHub's enterprise-slug issuers). Every other path answers 404, other methods 405.
 * {@link #jwksFetches()} and {@link #discoveryFetches()} count every request that arrives at those paths, whatever
 * the answer (503 while down, 302 while redirecting).
 *
 * <p>All methods are thread-safe; the server handles requests concurrently on a small pool.
 */
public final class TestIssuer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** Audience put into minted tokens unless another one is configured. */
    public static final String DEFAULT_AUDIENCE = "ferry";

    static final String JWKS_PATH = "/.well-known/jwks";
    static final String DISCOVERY_SUFFIX = "/.well-known/openid-configuration";
    private static final String JSON = "application/json";
    private static final int THREADS = 4;
    private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(5);

    private final String pathPrefix;
    private final String defaultAudience;
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final AtomicInteger discoveryFetches = new AtomicInteger();

    private HttpServer server;
    private ExecutorService executor;
    private volatile int port = -1;
    private volatile RSAKey currentKey;
    private volatile String jwksJson;
    private volatile boolean down;
    private volatile Duration delay = Duration.ZERO;
    private volatile String jwksRedirect;
    private volatile String discoveryIssuer;

    /** An issuer at the server root ({@code http://127.0.0.1:<port>}) with audience {@value #DEFAULT_AUDIENCE}. */
    public TestIssuer() {
        this("");
    }

    /** An issuer at {@code http://127.0.0.1:<port><pathPrefix>}, e.g. {@code "/acme"}; the JWKS stays at the root. */
    public TestIssuer(String pathPrefix) {
        this(pathPrefix, DEFAULT_AUDIENCE);
    }

    /** As {@link #TestIssuer(String)}, minting tokens for {@code defaultAudience}. */
    public TestIssuer(String pathPrefix, String defaultAudience) {
        this.pathPrefix = normalize(pathPrefix);
        this.defaultAudience = Objects.requireNonNull(defaultAudience, "defaultAudience");
        rotateKey();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Binds {@code 127.0.0.1:0} and starts serving; a no-op when already running. */
    public synchronized TestIssuer start() {
        if (server != null) {
            return this;
        }
        // A port no test server of this JVM had before: issuers registered at Ferry outlive the test.
        server = TestPorts.bind(
                () -> HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0),
                bound -> bound.getAddress().getPort(),
                held -> held.stop(0));
        executor = Executors.newFixedThreadPool(THREADS, TestIssuer::daemon);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    /** Stops the server immediately; a no-op when not running. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        server = null;
        executor = null;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /**
     * Undoes every failure mode, publishes only {@link #currentKey()} again and zeroes the counters; handy in a
     * {@code @BeforeEach} when one issuer is shared by a test class.
     */
    public synchronized void reset() {
        comeUp();
        delayResponses(Duration.ZERO);
        clearRedirect();
        discoveryIssuer(null);
        publish(new JWKSet(currentKey));
        resetCounters();
    }

    // ---------------------------------------------------------------- addresses

    /**
     * The issuer URL, {@code http://127.0.0.1:<port><pathPrefix>}, as it appears in {@code iss}. After
     * {@link #close()} it keeps naming the old port, so clients see "connection refused".
     */
    public String url() {
        return origin() + pathPrefix;
    }

    /** The JWKS URL, {@code http://127.0.0.1:<port>/.well-known/jwks}. */
    public String jwksUri() {
        return origin() + JWKS_PATH;
    }

    /** The discovery document URL, {@code <url()>/.well-known/openid-configuration}. */
    public String discoveryUri() {
        return url() + DISCOVERY_SUFFIX;
    }

    /** The audience minted tokens carry by default. */
    public String defaultAudience() {
        return defaultAudience;
    }

    private String origin() {
        int p = port;
        if (p < 0) {
            throw new IllegalStateException("TestIssuer not started");
        }
        return "http://127.0.0.1:" + p;
    }

    // ---------------------------------------------------------------- keys

    /** The signing key (with its private part) used by {@link #github()} and {@link #gitlab()}. */
    public RSAKey currentKey() {
        return currentKey;
    }

    /** Makes a fresh key current and publishes only that key. */
    public synchronized void rotateKey() {
        currentKey = newKey();
        publish(new JWKSet(currentKey));
    }

    /** Makes a fresh key current and publishes it together with the previous current key. */
    public synchronized void rotateKeyKeepingOld() {
        RSAKey previous = currentKey;
        currentKey = newKey();
        publish(new JWKSet(List.<JWK>of(currentKey, previous)));
    }

    /**
     * Serves {@code set} at the JWKS endpoint, keys in the given order, duplicates kept. Asymmetric keys are served
     * as their public part; symmetric ({@code oct}) keys as-is. Does not change {@link #currentKey()}.
     */
    public void publish(JWKSet set) {
        List<Object> keys = new ArrayList<>();
        for (JWK key : set.getKeys()) {
            JWK publicKey = key.toPublicJWK();
            keys.add((publicKey != null ? publicKey : key).toJSONObject());
        }
        Map<String, Object> json = new LinkedHashMap<>(set.getAdditionalMembers());
        json.put("keys", keys);
        jwksJson = JSONObjectUtils.toJSONString(json);
    }

    /** Serves {@code json} verbatim at the JWKS endpoint (for malformed documents). */
    public void publishRaw(String json) {
        jwksJson = Objects.requireNonNull(json, "json");
    }

    /** A fresh RSA 2048 signing key ({@code use: sig}, {@code alg: RS256}, random {@code kid}). */
    public static RSAKey newKey() {
        return newKey(2048);
    }

    /** A fresh RSA signing key of the given size (sizes below 2048 are allowed, for weak-key tests). */
    public static RSAKey newKey(int bits) {
        try {
            return new RSAKeyGenerator(bits, bits < RSAKeyGenerator.MIN_KEY_SIZE_BITS)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("RSA key generation failed", e);
        }
    }

    // ---------------------------------------------------------------- counters

    /** Requests received at the JWKS path since start or the last {@link #resetCounters()}. */
    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** Requests received at the discovery path since start or the last {@link #resetCounters()}. */
    public int discoveryFetches() {
        return discoveryFetches.get();
    }

    /** Sets both counters to zero. */
    public void resetCounters() {
        jwksFetches.set(0);
        discoveryFetches.set(0);
    }

    // ---------------------------------------------------------------- failure modes

    /** Every request answers 503 until {@link #comeUp()}. */
    public void goDown() {
        down = true;
    }

    /** Ends {@link #goDown()}. */
    public void comeUp() {
        down = false;
    }

    /** Holds every response for {@code delay} before answering; {@link Duration#ZERO} (or null) turns it off. */
    public void delayResponses(Duration delay) {
        this.delay = delay == null ? Duration.ZERO : delay;
    }

    /** The JWKS endpoint answers {@code 302 Location: url} until {@link #clearRedirect()}. */
    public void redirectJwksTo(String url) {
        jwksRedirect = Objects.requireNonNull(url, "url");
    }

    /** Ends {@link #redirectJwksTo(String)}. */
    public void clearRedirect() {
        jwksRedirect = null;
    }

    /** Discovery's {@code issuer} field says {@code overridden} instead of {@link #url()}; null restores. */
    public void discoveryIssuer(String overridden) {
        discoveryIssuer = overridden;
    }

    // ---------------------------------------------------------------- tokens

    /** A GitHub Actions shaped ID token for a push to {@code main} of {@code acme/app}. */
    public TestTokens github() {
        return new TestTokens(this::currentKey, CiClaims.github(url(), defaultAudience, now(), TOKEN_LIFETIME));
    }

    /** A GitLab CI shaped ID token for a push to {@code main} of {@code acme/app}. */
    public TestTokens gitlab() {
        return new TestTokens(this::currentKey, CiClaims.gitlab(url(), defaultAudience, now(), TOKEN_LIFETIME));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            count(path);
            if (!pause()) {
                return;
            }
            send(exchange, respond(exchange.getRequestMethod(), path));
        } finally {
            exchange.close();
        }
    }

    private void count(String path) {
        if (JWKS_PATH.equals(path)) {
            jwksFetches.incrementAndGet();
        }
        if (discoveryPath().equals(path)) {
            discoveryFetches.incrementAndGet();
        }
    }

    /** Sleeps for the configured delay; false when interrupted (server shutting down). */
    private boolean pause() {
        Duration d = delay;
        if (d.isZero() || d.isNegative()) {
            return true;
        }
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Response respond(String method, String path) {
        if (down) {
            return Response.text(503, "issuer down");
        }
        boolean jwks = JWKS_PATH.equals(path);
        if (!jwks && !discoveryPath().equals(path)) {
            return Response.text(404, "not found");
        }
        if (!"GET".equals(method)) {
            return Response.text(405, "method not allowed");
        }
        return jwks ? jwksResponse() : Response.json(discoveryJson());
    }

    private Response jwksResponse() {
        String location = jwksRedirect;
        return location != null ? Response.redirect(location) : Response.json(jwksJson);
    }

    private String discoveryPath() {
        return pathPrefix + DISCOVERY_SUFFIX;
    }

    private String discoveryJson() {
        String issuer = discoveryIssuer;
        return JSONObjectUtils.toJSONString(CiClaims.discovery(issuer != null ? issuer : url(), jwksUri()));
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        if (response.location() != null) {
            exchange.getResponseHeaders().set("Location", response.location());
        }
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "test-issuer");
        thread.setDaemon(true);
        return thread;
    }

    private static String normalize(String pathPrefix) {
        String prefix = pathPrefix == null ? "" : pathPrefix.trim();
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!prefix.isEmpty() && !prefix.startsWith("/")) {
            prefix = "/" + prefix;
        }
        return prefix;
    }

    /** One HTTP answer. */
    private record Response(int status, String contentType, String body, String location) {

        static Response json(String body) {
            return new Response(200, JSON, body, null);
        }

        static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body, null);
        }

        static Response redirect(String location) {
            return new Response(302, "text/plain; charset=utf-8", "", location);
        }
    }
}
