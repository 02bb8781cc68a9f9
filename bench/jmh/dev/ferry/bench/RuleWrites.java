package dev.ferry.bench;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin API as provisioning tooling uses it (one request per rule), for {@code bench/scale.sh}.
 *
 * <ul>
 *   <li>{@code writes <base> <admin token> <dir> <count> <in flight>}: creates the issuer
 *       {@code writes} (type github, a fresh RS256 key inline; the private key is kept in
 *       {@code <dir>/writes-key.json}), then {@code count} rules one by one through
 *       {@code POST /admin/v1/rules}, {@code in flight} at a time, rule i pinning owner i. Writes each
 *       write's latency to {@code <dir>/writes.txt} (index, microseconds) and prints a {@code BENCH}
 *       line: the total, the median latency of writes 100–200 and of the last hundred, and their
 *       ratio.
 *   <li>{@code pickup <writer base> <reader base> <admin token> <dir> <times>}: {@code times} times,
 *       creates on the writer a rule for an owner no rule granted yet, then exchanges a token of that
 *       owner at the reader every 10 ms until it is granted; prints the time from the writer's
 *       {@code 201} to the reader's first {@code 200}, median and maximum.
 * </ul>
 */
public final class RuleWrites {

    private static final String ISSUER = "writes";
    private static final String ISSUER_URL = "https://ci.writes.bench.example";
    private static final int FIRST_PICKUP_OWNER = 900_000;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String admin;

    private RuleWrites(String admin) {
        this.admin = admin;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("writes")) {
            new RuleWrites(args[2]).writes(args[1], Path.of(args[3]), Integer.parseInt(args[4]), 8);
        } else if (args.length == 6 && args[0].equals("writes")) {
            new RuleWrites(args[2])
                    .writes(args[1], Path.of(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        } else if (args.length == 6 && args[0].equals("pickup")) {
            new RuleWrites(args[3]).pickup(args[1], args[2], Path.of(args[4]), Integer.parseInt(args[5]));
        } else {
            System.err.println("usage: RuleWrites writes <base> <admin token> <dir> <count> [in flight]\n"
                    + "       RuleWrites pickup <writer base> <reader base> <admin token> <dir> <times>");
            System.exit(2);
        }
    }

    private void writes(String base, Path dir, int count, int inFlight) throws Exception {
        RSAKey key = GithubTokens.newIssuerKey();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("writes-key.json"), key.toJSONString());
        Map<String, Object> issuer = new LinkedHashMap<>();
        issuer.put("name", ISSUER);
        issuer.put("type", "github");
        issuer.put("issuerUrl", ISSUER_URL);
        issuer.put("jwks", Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
        issuer.put("acceptedAudiences", List.of(GithubTokens.AUDIENCE));
        expect(post(base + "/admin/v1/issuers", JSONObjectUtils.toJSONString(issuer)), 201, "the issuer");

        long[] micros = new long[count];
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(inFlight);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < inFlight; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        expect(post(base + "/admin/v1/rules", rule(i)), 201, "rule " + i);
                        micros[i] = (System.nanoTime() - t0) / 1000;
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(i).append(' ').append(micros[i]).append('\n');
        }
        Files.writeString(dir.resolve("writes.txt"), lines);
        double early = medianMillis(micros, Math.min(100, count), Math.min(200, count));
        double late = medianMillis(micros, Math.max(0, count - 100), count);
        System.out.printf(
                "BENCH writes count=%d in_flight=%d seconds=%.1f rate=%.0f early_p50_ms=%.2f late_p50_ms=%.2f ratio=%.2f"
                        + " p99_ms=%.2f max_ms=%.2f%n",
                count,
                inFlight,
                seconds,
                count / seconds,
                early,
                late,
                late / early,
                percentileMillis(micros, 0.99),
                percentileMillis(micros, 1.0));
    }

    private void pickup(String writer, String reader, Path dir, int times)
            throws IOException, InterruptedException, ParseException {
        RSAKey key = RSAKey.parse(Files.readString(dir.resolve("writes-key.json")));
        long[] millis = new long[times];
        for (int n = 0; n < times; n++) {
            int owner = FIRST_PICKUP_OWNER + n;
            String body = tokenRequest(key, owner);
            int before = postForm(reader + "/token", body).statusCode();
            if (before == 200) {
                throw new IllegalStateException("owner " + owner + " was granted before its rule existed");
            }
            expect(post(writer + "/admin/v1/rules", rule(owner)), 201, "the pickup rule for owner " + owner);
            long written = System.nanoTime();
            long deadline = written + Duration.ofMinutes(2).toNanos();
            while (postForm(reader + "/token", body).statusCode() != 200) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the reader never granted owner " + owner);
                }
                Thread.sleep(10);
            }
            millis[n] = (System.nanoTime() - written) / 1_000_000;
            System.err.println("pickup " + (n + 1) + "/" + times + ": " + millis[n] + " ms");
            Thread.sleep(1_000 + (long) (Math.random() * 4_000));
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "BENCH pickup times=%d p50_ms=%d max_ms=%d%n", times, sorted[(times - 1) / 2], sorted[times - 1]);
    }

    private static String rule(int i) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("name", String.format("write-%06d", i));
        rule.put("issuer", ISSUER);
        rule.put("effect", "allow");
        rule.put(
                "conditions",
                List.of(
                        Map.of("claim", "repository_owner_id", "operator", "equals", "value", GithubTokens.ownerId(i)),
                        Map.of("claim", "ref", "operator", "equals", "value", "refs/heads/main")));
        rule.put("targets", List.of(GithubTokens.TARGET));
        rule.put("scopes", List.of("deploy"));
        rule.put("ttlSeconds", 600);
        return JSONObjectUtils.toJSONString(rule);
    }

    private static String tokenRequest(RSAKey key, int owner) {
        Map<String, Object> claims =
                new LinkedHashMap<>(GithubTokens.claims(owner, Instant.now(), Duration.ofHours(1)));
        claims.put("iss", ISSUER_URL);
        return "grant_type=" + encode("urn:ietf:params:oauth:grant-type:token-exchange")
                + "&subject_token=" + GithubTokens.sign(key, claims)
                + "&subject_token_type=" + encode("urn:ietf:params:oauth:token-type:id_token")
                + "&audience=" + encode(GithubTokens.TARGET);
    }

    private HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String url, String form) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": " + response.statusCode() + " " + response.body());
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static double medianMillis(long[] micros, int from, int to) {
        long[] part = Arrays.copyOfRange(micros, from, to);
        Arrays.sort(part);
        return part.length == 0 ? 0 : part[(part.length - 1) / 2] / 1000.0;
    }

    private static double percentileMillis(long[] micros, double p) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(p * sorted.length) - 1] / 1000.0;
    }
}
