package dev.ferry.audit;

import dev.ferry.config.FerryProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The audit log of exchanges, written in batches by {@value #WRITERS} writer threads from a bounded
 * queue, with group commit: an issued token's request waits until the batch that holds its event has committed
 * ({@link #recordIssued}), so no token leaves Ferry without its record; every request queued while a
 * batch is written joins the next one, so batches grow with the load and the rate keeps up. A refusal
 * is queued without waiting ({@link #record}): losing one in a crash hands nothing out. When the queue
 * is full, callers wait for room (push-back) rather than lose an event; a failed batch is retried
 * until it is written. On shutdown, after the web server has finished its in-flight requests, every
 * queued event is written before the database closes.
 */
@Component
public class AuditLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 500;
    /**
     * How long the writer lets refusals gather after the first one before writing them together: a batch
     * costs a transaction and a round trip whatever its size. Never while a request waits for its
     * event: the batch is written as soon as one of those is in it.
     */
    static final Duration GATHER = Duration.ofMillis(20);
    /**
     * Writer threads, each taking the next batch from the queue: while one batch waits for its commit
     * to reach the disk (a WAL flush on PostgreSQL, about as long as the rest of an exchange), the
     * next is already being written, and the database flushes concurrent commits together. With one
     * writer, an issued token waited for the batch in progress and then for its own.
     */
    static final int WRITERS = 2;
    /** How often the usage rollup counted from written batches is written ({@link RuleUsageRows}). */
    static final int USAGE_INTERVAL_SECONDS = 2;

    private final AuditRows rows;
    private final RuleUsageRows usage;
    private ScheduledExecutorService usageWriter;
    private final BlockingQueue<PendingEvent> queue;
    private final Duration maxWait;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private final List<Thread> writers = new ArrayList<>();

    private final Timer batchLatency;
    private final Timer storeLatency;
    private final Timer usageLatency;

    @Autowired
    AuditLog(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactions,
            MeterRegistry registry,
            FerryProperties properties) {
        this(
                jdbc,
                transactions,
                registry,
                properties.audit().queueCapacity(),
                properties.audit().maxWait());
    }

    /** A log holding at most {@code capacity} events, whose callers wait up to {@code maxWait} for room and for their write. */
    AuditLog(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactions,
            MeterRegistry registry,
            int capacity,
            Duration maxWait) {
        this.rows = new AuditRows(jdbc, transactions, maxWait);
        this.usage = new RuleUsageRows(jdbc, rows.transactions());
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxWait = maxWait;
        Gauge.builder("ferry.audit.backlog", this, AuditLog::backlog)
                .description("Audit events recorded but not yet written")
                .register(registry);
        Gauge.builder("ferry.audit.dropped", this, AuditLog::dropped)
                .description("Audit events the database rejected outright (each is logged)")
                .register(registry);
        Gauge.builder("ferry.audit.usage.dropped", usage, RuleUsageRows::dropped)
                .description("Exchanges left out of the rule usage rollup because it fell too far behind (logged)")
                .register(registry);
        this.batchLatency = Timer.builder("ferry.audit.batch")
                .description("Time to write one batch of audit events")
                .register(registry);
        this.usageLatency = Timer.builder("ferry.audit.usage")
                .description("Time to write the rule usage counted since the last write")
                .register(registry);
        this.storeLatency = Timer.builder("ferry.audit.store")
                .description("Time an issued token waits for its audit event to be stored")
                .publishPercentileHistogram()
                .register(registry);
    }

    /**
     * Queues a refusal's event; waits (pushing back on the caller) while the queue is full, for up to
     * {@code ferry.audit.max-wait}, then throws {@link AuditUnavailable} rather than lose the event.
     */
    public void record(ExchangeEvent event) {
        enqueue(PendingEvent.queued(event));
    }

    /**
     * Records an issued token's event and returns once it is committed to the database. Throws
     * {@link AuditUnavailable} when there is no room in the queue within {@code ferry.audit.max-wait},
     * or the event is not stored within it: then the token must not be handed out (its event, when
     * written later, says so: {@link ExchangeEvent#undelivered}).
     */
    public void recordIssued(ExchangeEvent event) {
        long start = System.nanoTime();
        PendingEvent pending = PendingEvent.awaited(event);
        enqueue(pending);
        boolean stored;
        try {
            stored = pending.await(maxWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stored = false;
        }
        if (!stored) {
            throw new AuditUnavailable("the event was not stored within ferry.audit.max-wait", backlog());
        }
        storeLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private void enqueue(PendingEvent pending) {
        boolean queued;
        try {
            queued = queue.offer(pending, maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queued = false;
        }
        if (!queued) {
            throw new AuditUnavailable("the queue stayed full for ferry.audit.max-wait", backlog());
        }
        recorded.incrementAndGet();
    }

    /**
     * Writes an admin event at once, in the caller's transaction: the change and its record commit
     * or roll back together.
     */
    public void recordAdmin(AdminEvent event) {
        rows.insertAdmin(List.of(event));
    }

    /** Records admin events in the caller's transaction, in statement batches: an import's many changes. */
    public void recordAdmin(List<AdminEvent> events) {
        rows.insertAdmin(events);
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

    /**
     * Writes the usage counted from the events written so far (every {@value #USAGE_INTERVAL_SECONDS}
     * seconds anyway); returns once they are committed.
     */
    public void flushUsage() {
        usage.flush();
    }

    /** Events recorded but not yet written. */
    public long backlog() {
        return recorded.get() - written.get();
    }

    /** Events the database rejected outright (never expected; each is logged). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void start() {
        running = true;
        for (int i = 1; i <= WRITERS; i++) {
            Thread writer = new Thread(this::drainLoop, "ferry-audit-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
        usageWriter = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ferry-audit-usage");
            thread.setDaemon(true);
            return thread;
        });
        usageWriter.scheduleWithFixedDelay(
                this::writeUsage, USAGE_INTERVAL_SECONDS, USAGE_INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    private void writeUsage() {
        try {
            usageLatency.record(usage::flush);
        } catch (RuntimeException e) {
            log.warn(
                    "Writing the rule usage rollup failed; its counts are kept for the next try: {}",
                    e.getClass().getName());
        }
    }

    /** Lets the writers write what is queued, for up to 30 seconds in all. */
    @Override
    public void stop() {
        running = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try {
            for (Thread writer : writers) {
                writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writers.clear();
        usageWriter.shutdown();
        try {
            usageWriter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeUsage();
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
        List<PendingEvent> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                PendingEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - batch.size());
                boolean interrupted = running && !gather(batch);
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
     * Lets refusals gather for up to {@link #GATHER}, unless a request waits for an event of the batch
     * or one arrives meanwhile; false if interrupted. The interrupt is not kept while the batch in hand
     * is written: an interrupted thread's file I/O would fail (H2).
     */
    private boolean gather(List<PendingEvent> batch) {
        if (batch.stream().anyMatch(PendingEvent::isAwaited)) {
            return true;
        }
        long deadline = System.nanoTime() + GATHER.toNanos();
        try {
            while (batch.size() < BATCH) {
                PendingEvent next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    return true;
                }
                batch.add(next);
                if (next.isAwaited()) {
                    queue.drainTo(batch, BATCH - batch.size());
                    return true;
                }
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Writes a batch in one transaction; on failure writes its events one by one, so one event the
     * database rejects cannot hold up the others. An event rejected for what it is (not for the database
     * being unreachable) is logged by id and counted as dropped; any other failure is retried with
     * backoff. Each waiting request learns of its event's fate as soon as it is known, and may give
     * up on it between tries.
     */
    private void writeWithRetry(List<PendingEvent> batch) throws InterruptedException {
        try {
            write(batch);
            return;
        } catch (RuntimeException e) {
            batch.forEach(PendingEvent::writeFailed);
            log.warn(
                    "Writing {} audit events as one batch failed ({}); writing them one by one",
                    batch.size(),
                    e.getClass().getName());
        }
        for (PendingEvent pending : batch) {
            writeOne(pending);
        }
    }

    private void writeOne(PendingEvent pending) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                write(List.of(pending));
                return;
            } catch (NonTransientDataAccessException e) {
                if (!(e instanceof DataAccessResourceFailureException)) {
                    pending.refused();
                    dropped.incrementAndGet();
                    written.incrementAndGet();
                    log.error(
                            "Audit event {} was rejected by the database and is dropped: {}",
                            pending.exchangeId(),
                            e.getClass().getName());
                    return;
                }
                pending.writeFailed();
                log.error(
                        "Audit database unreachable; retrying in {} ms: {}",
                        backoff,
                        e.getClass().getName());
            } catch (RuntimeException e) {
                pending.writeFailed();
                log.error(
                        "Writing audit event {} failed; retrying in {} ms: {}",
                        pending.exchangeId(),
                        backoff,
                        e.getClass().getName());
            }
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 5_000);
        }
    }

    /** One try: each event as it stands (its request may have given it up), one transaction, one commit. */
    private void write(List<PendingEvent> batch) {
        List<ExchangeEvent> events = new ArrayList<>(batch.size());
        batch.forEach(pending -> events.add(pending.startWrite()));
        batchLatency.record(() -> rows.insert(events));
        usage.count(events);
        written.addAndGet(batch.size());
        batch.forEach(PendingEvent::written);
    }
}
