package dev.ferry.core;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The revision counter, and the log of which definition each revision changed, that keep every
 * replica's in-memory issuers and rules current by applying just what changed.
 *
 * <p>Each definition write calls {@link #bump} inside its own transaction: the revision goes up by
 * one (the row's lock makes concurrent writers take turns, so revisions are dense and commit in
 * order) and the change is logged. One {@link TrustConfigurationChanged} event per transaction, with
 * its changes, is delivered after commit, so this replica applies them at once. Other replicas read
 * the log on their next poll ({@code ferry.cache.refresh}); one further behind than the log reaches
 * (a day) reloads everything.
 */
@Component
public class ConfigRevision {

    private static final Logger log = LoggerFactory.getLogger(ConfigRevision.class);
    private static final Duration KEEP = Duration.ofDays(1);
    /**
     * More changes than this at once (one transaction's, or one poll's): reload everything instead of
     * applying them one by one. An import of many rules costs about as much either way, and the changed
     * definitions are then never read by a list of names longer than any database accepts in one
     * statement (PostgreSQL's limit is 32,767 parameters).
     */
    public static final int MAX_CHANGES = 1_000;

    private final JdbcTemplate jdbc;
    private final ApplicationEventPublisher events;
    private final DatabaseClock databaseClock;
    private final AtomicLong seen = new AtomicLong(-1);

    ConfigRevision(JdbcTemplate jdbc, ApplicationEventPublisher events, DatabaseClock databaseClock) {
        this.jdbc = jdbc;
        this.events = events;
        this.databaseClock = databaseClock;
    }

    /** Records a change to the definition {@code kind}/{@code name}; must run inside the writing transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void bump(String kind, String name) {
        bumpAll(kind, List.of(name));
    }

    /**
     * Records changes to the definitions {@code kind}/{@code names}, one revision each, in one update
     * and one statement batch: what an import of many rules uses.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void bumpAll(String kind, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        jdbc.update("update config_revision set revision = revision + ? where id = 1", names.size());
        long first = current() - names.size() + 1;
        List<TrustConfigurationChanged.Change> changes = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            changes.add(new TrustConfigurationChanged.Change(first + i, kind, names.get(i)));
        }
        jdbc.batchUpdate(
                "insert into definition_change (revision, kind, name, changed_at) values (?, ?, ?, current_timestamp)",
                changes,
                changes.size(),
                (ps, change) -> {
                    ps.setLong(1, change.revision());
                    ps.setString(2, change.kind());
                    ps.setString(3, change.name());
                });
        changesOfThisTransaction().addAll(changes);
    }

    /**
     * The changes of the current transaction, published as one event after it commits: an import of
     * 10,000 rules is applied at once, as one change of the in-memory copies.
     */
    @SuppressWarnings("unchecked")
    private List<TrustConfigurationChanged.Change> changesOfThisTransaction() {
        Object bound = TransactionSynchronizationManager.getResource(ConfigRevision.class);
        if (bound != null) {
            return (List<TrustConfigurationChanged.Change>) bound;
        }
        List<TrustConfigurationChanged.Change> changes = new ArrayList<>();
        TransactionSynchronizationManager.bindResource(ConfigRevision.class, changes);
        TransactionSynchronizationManager.registerSynchronization(new Publisher(changes));
        return changes;
    }

    /** Publishes a transaction's changes once it has committed; forgets them either way. */
    private final class Publisher implements TransactionSynchronization {
        private final List<TrustConfigurationChanged.Change> changes;

        Publisher(List<TrustConfigurationChanged.Change> changes) {
            this.changes = changes;
        }

        @Override
        public void afterCommit() {
            long first = changes.get(0).revision();
            long last = changes.get(changes.size() - 1).revision();
            events.publishEvent(
                    changes.size() > MAX_CHANGES
                            ? TrustConfigurationChanged.all(last)
                            : new TrustConfigurationChanged(last, List.copyOf(changes), false));
            // Applied here already: the next poll need not fetch them again, unless it lags behind them.
            seen.compareAndSet(first - 1, last);
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(ConfigRevision.class);
        }
    }

    /** Picks up changes made through other replicas: the logged ones, or everything when too far behind. */
    @Scheduled(fixedDelayString = "${ferry.cache.refresh:5s}", initialDelayString = "${ferry.cache.refresh:5s}")
    public void poll() {
        try {
            long since = seen.get();
            TrustConfigurationChanged change = changesSince(since);
            if (change != null) {
                events.publishEvent(change);
                seen.compareAndSet(since, change.revision());
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not refresh issuers and rules; keeping the cached ones and retrying at the next poll: {}",
                    e.toString());
        }
    }

    /**
     * What changed after {@code revision}: null when nothing did; everything when {@code revision} is
     * unknown (negative) or older than the log reaches, or when there are too many changes to apply one
     * by one.
     */
    public TrustConfigurationChanged changesSince(long revision) {
        long current = current();
        if (current == revision) {
            return null;
        }
        if (revision < 0 || current - revision > MAX_CHANGES) {
            return TrustConfigurationChanged.all(current);
        }
        List<TrustConfigurationChanged.Change> changes = jdbc.query(
                "select revision, kind, name from definition_change where revision > ? and revision <= ? order by revision",
                (rs, n) -> new TrustConfigurationChanged.Change(rs.getLong(1), rs.getString(2), rs.getString(3)),
                revision,
                current);
        if (changes.size() != current - revision) {
            return TrustConfigurationChanged.all(current); // the log no longer reaches back that far
        }
        return new TrustConfigurationChanged(current, changes, false);
    }

    /**
     * A cache of this replica loaded everything as of {@code revision} (read before it loaded): polls
     * start from the earliest such revision, so no cache misses a change.
     */
    public void loaded(long revision) {
        seen.accumulateAndGet(revision, (current, loaded) -> current < 0 ? loaded : Math.min(current, loaded));
    }

    /**
     * An in-memory copy could not apply a change (the database failed while it read the changed
     * definitions, say): the next poll reloads everything, on every cache of this replica, so none
     * stays behind for good.
     */
    public void reloadEverythingAtNextPoll() {
        seen.set(-1);
    }

    /** The revision now committed. */
    public long current() {
        Long revision = jdbc.queryForObject("select revision from config_revision where id = 1", Long.class);
        return revision == null ? 0 : revision;
    }

    /** Deletes log entries every replica has had a day to read. */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT10M")
    void prune() {
        jdbc.update(
                "delete from definition_change where changed_at < ?",
                Timestamp.from(databaseClock.now().minus(KEEP)));
    }
}
