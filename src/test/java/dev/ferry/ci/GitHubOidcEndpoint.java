package dev.ferry.ci;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for the endpoint a GitHub runner names in {@code ACTIONS_ID_TOKEN_REQUEST_URL}: {@code GET} with
 * {@code Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN} and an {@code audience} query parameter answers
 * {@code {"count": ..., "value": "<ID token>"}}, the token minted for that audience. A wrong bearer token gets
 * {@code 401} with GitHub's {@code {"message"}} shape, a missing audience {@code 400}.
 */
final class GitHubOidcEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final String requestToken = "request-token-" + UUID.randomUUID();
    private final List<String> audiences = new CopyOnWriteArrayList<>();
    private final List<String> minted = new CopyOnWriteArrayList<>();
    private volatile Function<String, String> mint;

    /** @param mint an ID token for the requested audience */
    GitHubOidcEndpoint(Function<String, String> mint) {
        this.mint = mint;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Like GitHub's, the URL already has a query string: the audience is appended with {@code &}. */
    String requestUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/oidctoken?api-version=2.0";
    }

    String requestToken() {
        return requestToken;
    }

    /** From now on, tokens are minted by {@code mint}. */
    void minting(Function<String, String> mint) {
        this.mint = mint;
    }

    /** Forgets what was asked for and handed out, and mints with {@code mint}. */
    void reset(Function<String, String> mint) {
        audiences.clear();
        minted.clear();
        this.mint = mint;
    }

    /** The audiences asked for, in order. */
    List<String> audiences() {
        return List.copyOf(audiences);
    }

    /** Every ID token handed out. */
    List<String> minted() {
        return List.copyOf(minted);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String query = exchange.getRequestURI().getRawQuery();
            String audience = parameter(query, "audience");
            if (!"GET".equals(exchange.getRequestMethod())
                    || !exchange.getRequestURI().getPath().equals("/oidctoken")) {
                answer(exchange, 404, "{\"message\":\"Not Found\"}");
            } else if (authorization == null
                    || !authorization.toLowerCase(Locale.ROOT).startsWith("bearer ")
                    || !authorization.substring(7).equals(requestToken)) {
                answer(exchange, 401, "{\"message\":\"Unable to validate the request token\"}");
            } else if (!"2.0".equals(parameter(query, "api-version")) || audience == null) {
                answer(exchange, 400, "{\"message\":\"api-version and audience are required\"}");
            } else {
                audiences.add(audience);
                String token = mint.apply(audience);
                minted.add(token);
                answer(exchange, 200, "{\"count\":" + token.length() + ",\"value\":\"" + token + "\"}");
            }
        }
    }

    private static String parameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
