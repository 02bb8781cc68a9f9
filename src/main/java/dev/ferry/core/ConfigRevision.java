package dev.ferry.core;

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
 * The revision counter that keeps every replica's cached issuers and rules current.
 *
 * <p>Each definition write calls {@link #bump()} inside its own transaction; the resulting
 * {@link TrustConfigurationChanged} event is delivered after commit, so this replica refreshes at
 * once. Other replicas notice the new revision on their next poll ({@code ferry.cache.refresh}).
 */
@Component
public class ConfigRevision {

    private static final Logger log = LoggerFactory.getLogger(ConfigRevision.class);

    private final JdbcTemplate jdbc;
    private final ApplicationEventPublisher events;
    private final AtomicLong seen = new AtomicLong(-1);

    /** Marks, for the current transaction, that its change event is already published. */
    private static final Object PUBLISHED = new Object();

    ConfigRevision(JdbcTemplate jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /** Records a definition change; must run inside the writing transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void bump() {
        jdbc.update("update config_revision set revision = revision + 1 where id = 1");
        // One change event per transaction: an import of 10,000 rules reloads the caches once, after commit.
        if (!TransactionSynchronizationManager.hasResource(PUBLISHED)) {
            TransactionSynchronizationManager.bindResource(PUBLISHED, Boolean.TRUE);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(PUBLISHED);
                }
            });
            events.publishEvent(new TrustConfigurationChanged(current()));
        }
    }

    /** Picks up changes made through other replicas. */
    @Scheduled(fixedDelayString = "${ferry.cache.refresh:5s}", initialDelayString = "${ferry.cache.refresh:5s}")
    public void poll() {
        try {
            long revision = current();
            if (seen.get() != revision) {
                events.publishEvent(new TrustConfigurationChanged(revision));
                seen.set(revision);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not refresh issuers and rules; keeping the cached ones and retrying at the next poll: {}",
                    e.toString());
        }
    }

    private long current() {
        Long revision = jdbc.queryForObject("select revision from config_revision where id = 1", Long.class);
        return revision == null ? 0 : revision;
    }
}
