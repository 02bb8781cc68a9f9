package dev.ferry.audit;

import dev.ferry.bench.GithubTokens;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * What one exchange's audit event costs to write, by the size of the batch it is written in:
 * {@link AuditRows}'s own insert (one transaction a batch, as the audit writer commits it), into a scratch schema ({@code ferry_insert_cost}, migrated with
 * Ferry's migrations, dropped before and after). Prints, per batch size, the wall time and the
 * writing thread's CPU time per event (the events are built beforehand; GC and JIT threads are not
 * counted), and, when the database runs on this machine (Linux), the CPU time of its
 * {@code postgres} processes per event (at 100 ticks a second, Linux's USER_HZ; processes that end
 * during the run, such as an autovacuum worker, are not counted).
 *
 * <p>Usage: {@code java -cp <test classpath> dev.ferry.audit.AuditInsertCost <PostgreSQL JDBC URL> [events per size]}
 * (see {@code bench/README.md}).
 */
public final class AuditInsertCost {

    private static final String SCHEMA = "ferry_insert_cost";
    private static final int[] BATCH_SIZES = {1, 2, 4, 16, 64, 500};
    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    private AuditInsertCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !args[0].startsWith("jdbc:postgresql:")) {
            System.err.println(
                    "usage: AuditInsertCost <jdbc:postgresql:... URL> [events per batch size, default 20000]");
            System.exit(2);
        }
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        String url = args[0] + (args[0].contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
        SingleConnectionDataSource dataSource = new SingleConnectionDataSource(url, true);
        try {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("drop schema if exists " + SCHEMA + " cascade");
            Flyway.configure()
                    .dataSource(dataSource)
                    .schemas(SCHEMA)
                    .locations("classpath:db/migration", "classpath:db/vendor/postgresql")
                    .load()
                    .migrate();
            AuditRows audit = new AuditRows(jdbc, new DataSourceTransactionManager(dataSource), Duration.ofSeconds(30));
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            boolean local = Files.isDirectory(Path.of("/proc/self"));

            System.out.printf(
                    "%d events per batch size, PostgreSQL CPU %s%n",
                    events,
                    local ? "from /proc (meaningful only when the server runs on this machine)" : "not measured");
            System.out.println("batch   wall us/event   writing thread CPU us/event   postgres CPU us/event");
            write(audit, 64, events(events)); // warm-up: JIT, the server's caches and prepared statements
            for (int size : BATCH_SIZES) {
                List<ExchangeEvent> batch = events(events);
                jdbc.execute("truncate audit_event, audit_rule");
                checkpoint(jdbc);
                long server = local ? postgresTicks() : 0;
                long cpu = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                write(audit, size, batch);
                long wall = System.nanoTime() - start;
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                Thread.sleep(1_000); // the WAL writer's share of the last batches
                String postgres = local ? String.format("%.1f", (postgresTicks() - server) * 10_000.0 / events) : "-";
                System.out.printf(
                        "%5d   %13.1f   %27.1f   %21s%n", size, wall / 1e3 / events, cpu / 1e3 / events, postgres);
            }
        } finally {
            try {
                new JdbcTemplate(dataSource).execute("drop schema if exists " + SCHEMA + " cascade");
            } finally {
                dataSource.destroy();
            }
        }
    }

    private static List<ExchangeEvent> events(int count) {
        List<ExchangeEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(event(i));
        }
        return events;
    }

    /** Inserts {@code events} in batches of {@code size}: the JSON of each event and the JDBC batch, as the writer does. */
    private static void write(AuditRows audit, int size, List<ExchangeEvent> events) {
        for (int from = 0; from < events.size(); from += size) {
            audit.insert(events.subList(from, Math.min(from + size, events.size())));
        }
    }

    /** An issued exchange as {@code bench/load.sh}'s produce: a GitHub-shaped claim set, one rule matched. */
    private static ExchangeEvent event(int i) {
        Instant now = Instant.now();
        int owner = i % 1000;
        String rule = String.format("deploy-%05d", owner);
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("claim", "repository_owner_id");
        condition.put("operator", "equals");
        condition.put("expected", GithubTokens.ownerId(owner));
        condition.put("actual", List.of(GithubTokens.ownerId(owner)));
        condition.put("holds", true);
        Map<String, Object> trace = new LinkedHashMap<>();
        trace.put("rule", rule);
        trace.put("effect", "allow");
        trace.put("enabled", true);
        trace.put("matched", true);
        trace.put("targetsRequested", true);
        trace.put(
                "conditions",
                List.of(
                        condition,
                        Map.of(
                                "claim",
                                "ref",
                                "operator",
                                "equals",
                                "expected",
                                "refs/heads/main",
                                "actual",
                                List.of("refs/heads/main"),
                                "holds",
                                true)));
        return ExchangeEvent.builder(AuditIds.next(), now, "127.0.0.1")
                .issuer(GithubTokens.ISSUER_NAME)
                .subject("repo:owner-" + owner + "/app:ref:refs/heads/main")
                .claims(JSON.valueToTree(GithubTokens.claims(owner, now, Duration.ofHours(1))))
                .target(GithubTokens.TARGET)
                .grantedScopes(List.of("deploy"))
                .matchedRules(List.of(rule))
                .decision(List.of(trace))
                .issued(UUID.randomUUID().toString(), now.plus(Duration.ofMinutes(10)));
    }

    /** Starts each batch size with the WAL flushed, where the role may (superusers, pg_checkpoint). */
    private static void checkpoint(JdbcTemplate jdbc) {
        try {
            jdbc.execute("checkpoint");
        } catch (DataAccessException e) {
            // not allowed: the figures then include some of the previous size's checkpoint work
        }
    }

    /** CPU time of this machine's {@code postgres} processes, in clock ticks (1/100 s). */
    private static long postgresTicks() throws IOException {
        long ticks = 0;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    if (!Files.readString(process.resolve("comm")).trim().equals("postgres")) {
                        continue;
                    }
                    String stat = Files.readString(process.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException | RuntimeException e) {
                    // the process ended while being read
                }
            }
        }
        return ticks;
    }
}
