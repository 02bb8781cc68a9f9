package dev.ferry.bench;

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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * {@code GET /admin/v1/audit} with each filter, on the audit log {@code bench/audit-day.sql}
 * generates, for {@code bench/audit-scale.sh}: per round and filter, a random value, the first page
 * (default size, 50) and the page after it by the cursor. Prints one {@code BENCH} line per filter
 * with the median, p99 and maximum latency of its requests.
 *
 * <p>Usage: {@code AuditQueries <base> <admin token> <ids file> <days> <rounds>} (ids file: event ids
 * of the log, one a line, for the lookup by id; days: how many days back the log reaches). With
 * {@code <rounds>} 0 it runs until killed, one filter after the other, and prints nothing: the
 * background query load of the retention run.
 */
public final class AuditQueries {

    private static final String[] ISSUERS = {"github", "gitlab", "internal"};
    private static final String[] OUTCOMES = {"issued", "refused", "applied"};

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String admin;
    private final SplittableRandom random = new SplittableRandom(42);

    private AuditQueries(String base, String admin) {
        this.base = base;
        this.admin = admin;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: AuditQueries <base> <admin token> <ids file> <days> <rounds>");
            System.exit(2);
        }
        List<String> ids = Files.readAllLines(Path.of(args[2])).stream()
                .filter(line -> !line.isBlank())
                .toList();
        new AuditQueries(args[0], args[1]).run(ids, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }

    private void run(List<String> ids, int days, int rounds) throws IOException, InterruptedException, ParseException {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Map<String, Function<SplittableRandom, String>> filters = new LinkedHashMap<>();
        filters.put("id", r -> null);
        filters.put(
                "subject",
                r -> "subject="
                        + encode("repo:org-" + r.nextInt(2000) + "/app-" + r.nextInt(10) + ":ref:refs/heads/main"));
        filters.put("rule", r -> "rule=deploy-org-" + r.nextInt(2000));
        filters.put("issuer", r -> "issuer=" + ISSUERS[r.nextInt(ISSUERS.length)]);
        filters.put("outcome", r -> "outcome=" + OUTCOMES[r.nextInt(OUTCOMES.length)]);
        filters.put("kind", r -> "kind=admin");
        filters.put("target", r -> "target=" + encode("https://deploy.bench.example/ns/" + r.nextInt(200)));
        filters.put("time range", r -> {
            Instant since = today.minus(1 + r.nextInt(days), ChronoUnit.DAYS).plus(r.nextInt(24), ChronoUnit.HOURS);
            return "since=" + since + "&until=" + since.plus(1, ChronoUnit.HOURS);
        });
        filters.put("subject and time", r -> {
            Instant since = today.minus(1 + r.nextInt(days), ChronoUnit.DAYS);
            return "subject=" + encode("repo:org-" + r.nextInt(2000) + "/app-" + r.nextInt(10) + ":ref:refs/heads/main")
                    + "&since=" + since + "&until=" + since.plus(1, ChronoUnit.DAYS);
        });
        Map<String, List<Long>> micros = new LinkedHashMap<>();
        filters.keySet().forEach(name -> micros.put(name, new ArrayList<>()));
        for (int round = 0; rounds == 0 || round < rounds; round++) {
            for (Map.Entry<String, Function<SplittableRandom, String>> filter : filters.entrySet()) {
                List<Long> times = micros.get(filter.getKey());
                if (filter.getKey().equals("id")) {
                    times.add(time(base + "/admin/v1/audit/" + ids.get(random.nextInt(ids.size())), null));
                    continue;
                }
                String query = filter.getValue().apply(random);
                String[] next = new String[1];
                times.add(time(base + "/admin/v1/audit?" + query, next));
                if (next[0] != null) {
                    times.add(time(base + "/admin/v1/audit?" + query + "&cursor=" + encode(next[0]), null));
                }
            }
            if (rounds == 0) {
                micros.values().forEach(List::clear); // background load: nothing to report
            }
        }
        micros.forEach((name, times) -> {
            long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(
                    "BENCH audit filter=%s requests=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n",
                    name.replace(' ', '_'),
                    sorted.length,
                    percentile(sorted, 0.50) / 1000.0,
                    percentile(sorted, 0.99) / 1000.0,
                    sorted[sorted.length - 1] / 1000.0);
        });
    }

    /** The latency of one GET, in microseconds; puts the page's {@code next} cursor in {@code next}. */
    private long time(String url, String[] next) throws IOException, InterruptedException, ParseException {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + admin)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long elapsed = (System.nanoTime() - start) / 1000;
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + response.statusCode() + " " + response.body());
        }
        if (next != null) {
            Object cursor = JSONObjectUtils.parse(response.body()).get("next");
            next[0] = cursor instanceof String s ? s : null;
        }
        return elapsed;
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
