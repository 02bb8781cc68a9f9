package dev.ferry.audit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An exchange event on its way to the database, and, for an issued token, the request waiting for it
 * to be stored. For as long as a write of it is under way, nobody else may change it; between writes,
 * a request tired of waiting may give it up, and from then on it is written as the record that its
 * token was not handed out ({@link ExchangeEvent#undelivered}). So the audit log never says "issued"
 * for a token that was not handed out, nor the reverse.
 */
final class PendingEvent {

    private enum State {
        /** Queued, or back in line after a failed write. */
        WAITING,
        /** A write of it is under way. */
        WRITING,
        /** Stored as it is. */
        STORED,
        /** Given up by its request: to be stored as not handed out. */
        ABANDONED
    }

    private final ExchangeEvent event;
    private final CompletableFuture<Void> stored;
    private final AtomicReference<State> state = new AtomicReference<>(State.WAITING);

    private PendingEvent(ExchangeEvent event, boolean awaited) {
        this.event = event;
        this.stored = awaited ? new CompletableFuture<>() : null;
    }

    /** An event nobody waits for (a refusal). */
    static PendingEvent queued(ExchangeEvent event) {
        return new PendingEvent(event, false);
    }

    /** An event its request waits for (an issued token), with {@link #await}. */
    static PendingEvent awaited(ExchangeEvent event) {
        return new PendingEvent(event, true);
    }

    String exchangeId() {
        return event.exchangeId();
    }

    boolean isAwaited() {
        return stored != null;
    }

    /**
     * The writer starts a write: what to write, the event itself, or, when its request gave up, the
     * record that its token was not handed out.
     */
    ExchangeEvent startWrite() {
        return state.compareAndSet(State.WAITING, State.WRITING) ? event : event.undelivered();
    }

    /** The write committed. */
    void written() {
        if (state.compareAndSet(State.WRITING, State.STORED) && stored != null) {
            stored.complete(null);
        }
    }

    /** The write failed and will be retried: until then, its request may give it up. */
    void writeFailed() {
        state.compareAndSet(State.WRITING, State.WAITING);
    }

    /** The database refused the event for what it holds: its token must not be handed out. */
    void refused() {
        state.compareAndSet(State.WRITING, State.ABANDONED);
        if (stored != null) {
            stored.completeExceptionally(new IllegalStateException("refused by the database"));
        }
    }

    /**
     * Waits for the event to be stored: true once it is. After {@code patience}, gives it up (false),
     * once no write of it is under way: a write already begun is waited for, as it decides.
     */
    boolean await(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                stored.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return true;
            } catch (ExecutionException e) {
                return false;
            } catch (TimeoutException e) {
                if (state.compareAndSet(State.WAITING, State.ABANDONED)) {
                    return false;
                }
                // A write is under way: it will store the event or put it back in line.
                deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            }
        }
    }
}
