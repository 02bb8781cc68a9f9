package dev.ferry.audit;

import dev.ferry.config.FerryProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.NonTransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes exchange events in batches from a bounded queue, off the request's critical path. When the
 * queue is full, {@link #record} waits (pushing back on exchanges) rather than dropping an event; a
 * failed batch is retried until it is written. On shutdown, after the web server has finished its
 * in-flight requests, every queued event is written before the database closes.
 */
@Component
public class AuditLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 500;
    /**
     * How long the writer lets events gather after the first one before writing them together. A
     * batch costs a transaction and a round trip whatever its size: on PostgreSQL one event alone
     * costs the server about seven times more CPU than one event in a batch of 64, and under load the
     * writer would otherwise wake for every one or two events.
     */
    static final Duration GATHER = Duration.ofMillis(20);

    private static final String INSERT =
            "insert into audit_event (id, occurred_at, kind, outcome, error, error_description, detail,"
                    + " issuer, subject, claims, target, requested_scopes, granted_scopes, matched_rules, decision, token_id,"
                    + " token_expires_at, client_address) values (?, ?, 'exchange', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final JdbcTemplate jdbc;
    private final JsonMapper json = JsonMapper.builder().build();
    private final BlockingQueue<ExchangeEvent> queue;
    private final Duration maxWait;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread writer;

    private final Timer batchLatency;

    @Autowired
    AuditLog(JdbcTemplate jdbc, MeterRegistry registry, FerryProperties properties) {
        this(
                jdbc,
                registry,
                properties.audit().queueCapacity(),
                properties.audit().maxWait());
    }

    /** A log holding at most {@code capacity} events, whose callers wait up to {@code maxWait} for room. */
    AuditLog(JdbcTemplate jdbc, MeterRegistry registry, int capacity, Duration maxWait) {
        this.jdbc = jdbc;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxWait = maxWait;
        Gauge.builder("ferry.audit.backlog", this, AuditLog::backlog)
                .description("Audit events recorded but not yet written")
                .register(registry);
        Gauge.builder("ferry.audit.dropped", this, AuditLog::dropped)
                .description("Audit events the database rejected outright (each is logged)")
                .register(registry);
        this.batchLatency = Timer.builder("ferry.audit.batch")
                .description("Time to write one batch of audit events")
                .register(registry);
    }

    /**
     * Queues an event; waits (pushing back on the caller) while the queue is full, for up to
     * {@code ferry.audit.max-wait}, then throws {@link AuditUnavailable} rather than lose the event.
     */
    public void record(ExchangeEvent event) {
        boolean queued;
        try {
            queued = queue.offer(event, maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queued = false;
        }
        if (!queued) {
            throw new AuditUnavailable(backlog());
        }
        recorded.incrementAndGet();
    }

    /**
     * Writes an admin event at once, in the caller's transaction: the change and its record commit
     * or roll back together.
     */
    public void recordAdmin(AdminEvent event) {
        jdbc.update(
                "insert into audit_event (id, occurred_at, kind, outcome, principal, action, entity_type, entity_name,"
                        + " before_state, after_state) values (?, ?, 'admin', 'applied', ?, ?, ?, ?, ?, ?)",
                event.id(),
                Timestamp.from(event.occurredAt()),
                truncate(event.principal(), 1024),
                event.action(),
                event.entityType(),
                event.entityName(),
                toJson(event.before()),
                toJson(event.after()));
    }

    /** Waits until every event recorded so far is written; false if that took longer than {@code timeout}. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long target = recorded.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (written.get() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Events recorded but not yet written. */
    public long backlog() {
        return recorded.get() - written.get();
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::drainLoop, "ferry-audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void stop() {
        running = false;
        try {
            writer.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (backlog() > 0) {
            log.error("Audit log stopped with {} events not written", backlog());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (which stops at a higher phase), so in-flight exchanges are recorded. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private void drainLoop() {
        List<ExchangeEvent> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                ExchangeEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                boolean interrupted = running && queue.size() < BATCH - 1 && !gathered();
                queue.drainTo(batch, BATCH - 1);
                writeWithRetry(batch);
                batch.clear();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Waits {@link #GATHER}; false if interrupted meanwhile. The interrupt is not kept while the batch
     * in hand is written: an interrupted thread's file I/O would fail (H2).
     */
    private static boolean gathered() {
        try {
            Thread.sleep(GATHER.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Writes a batch; on failure writes its events one by one, so one event the database rejects
     * cannot hold up the others. An event rejected for what it is (not for the database being
     * unreachable) is logged by id and counted as dropped; any other failure is retried with backoff.
     */
    private void writeWithRetry(List<ExchangeEvent> batch) throws InterruptedException {
        try {
            write(batch);
            return;
        } catch (RuntimeException e) {
            log.warn(
                    "Writing {} audit events as one batch failed ({}); writing them one by one",
                    batch.size(),
                    e.getClass().getName());
        }
        for (ExchangeEvent event : batch) {
            writeOne(event);
        }
    }

    private void writeOne(ExchangeEvent event) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                write(List.of(event));
                return;
            } catch (NonTransientDataAccessException e) {
                if (!(e instanceof DataAccessResourceFailureException)) {
                    dropped.incrementAndGet();
                    written.incrementAndGet();
                    log.error(
                            "Audit event {} was rejected by the database and is dropped: {}",
                            event.exchangeId(),
                            e.getClass().getName());
                    return;
                }
                log.error(
                        "Audit database unreachable; retrying in {} ms: {}",
                        backoff,
                        e.getClass().getName());
            } catch (RuntimeException e) {
                log.error(
                        "Writing audit event {} failed; retrying in {} ms: {}",
                        event.exchangeId(),
                        backoff,
                        e.getClass().getName());
            }
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 5_000);
        }
    }

    /** Events the database rejected outright (never expected; each is logged). */
    public long dropped() {
        return dropped.get();
    }

    private void write(List<ExchangeEvent> batch) {
        batchLatency.record(() -> insert(batch));
        written.addAndGet(batch.size());
    }

    /** Inserts a batch in one statement batch (package-private for the benchmark of its cost per event). */
    void insert(List<ExchangeEvent> batch) {
        jdbc.batchUpdate(INSERT, batch, batch.size(), (ps, e) -> {
            ps.setString(1, e.exchangeId());
            ps.setTimestamp(2, Timestamp.from(e.occurredAt()));
            ps.setString(3, e.outcome().column());
            ps.setString(4, e.error());
            ps.setString(5, truncate(e.errorDescription(), 1024));
            ps.setString(6, truncate(e.detail(), Integer.MAX_VALUE));
            ps.setString(7, e.issuer());
            ps.setString(8, truncate(e.subject(), 1024));
            ps.setString(9, toJson(e.claims()));
            ps.setString(10, truncate(e.target(), 2048));
            ps.setString(11, toJson(e.requestedScopes()));
            ps.setString(12, toJson(e.grantedScopes()));
            ps.setString(13, toJson(e.matchedRules()));
            ps.setString(14, toJson(e.decision()));
            ps.setString(15, e.tokenId());
            ps.setTimestamp(16, e.tokenExpiresAt() == null ? null : Timestamp.from(e.tokenExpiresAt()));
            ps.setString(17, truncate(e.clientAddress(), 64));
        });
    }

    private String toJson(Object value) {
        return value == null ? null : truncate(json.writeValueAsString(value), Integer.MAX_VALUE);
    }

    /** Cut to the column's size, with NUL (which PostgreSQL text cannot hold) replaced. */
    private static String truncate(String value, int max) {
        if (value == null) {
            return null;
        }
        String clean = value.indexOf('\u0000') >= 0 ? value.replace('\u0000', '\uFFFD') : value;
        return clean.length() <= max ? clean : clean.substring(0, max);
    }
}
