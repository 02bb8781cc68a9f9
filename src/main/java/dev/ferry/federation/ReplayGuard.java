package dev.ferry.federation;

import static dev.ferry.federation.SubjectTokenRejected.Reason.INVALID_CLAIM;
import static dev.ferry.federation.SubjectTokenRejected.Reason.REPLAYED;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DatabaseClock;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Accepts each subject token {@code jti} once per issuer, for issuers with {@code replayProtection}.
 * The primary key of {@code subject_token_use} decides, so concurrent duplicates on any number of
 * replicas sharing the database let exactly one through. Entries are kept until the token's
 * {@code exp} plus the largest issuer clock skew and the replicas' clock skew, after which every
 * replica refuses the token as expired anyway.
 */
@Component
class ReplayGuard {

    private static final Duration KEEP_AFTER_EXPIRY = Duration.ofSeconds(IssuerValidator.MAX_CLOCK_SKEW_SECONDS);

    private final JdbcTemplate jdbc;
    private final DatabaseClock databaseClock;
    private final Duration replicaClockSkew;

    ReplayGuard(JdbcTemplate jdbc, DatabaseClock databaseClock, FerryProperties properties) {
        this.jdbc = jdbc;
        this.databaseClock = databaseClock;
        this.replicaClockSkew = properties.replicas().clockSkew();
    }

    static void requireJwtId(TrustedIssuer issuer, String jwtId) throws SubjectTokenRejected {
        if (jwtId == null || jwtId.isEmpty() || jwtId.length() > 255) {
            throw new SubjectTokenRejected(
                    INVALID_CLAIM,
                    "subject_token needs a jti of at most 255 characters: issuer '" + issuer.name()
                            + "' rejects replays");
        }
    }

    /** Uses up {@code jwtId} (checked by {@link #requireJwtId} when the token was verified). */
    void claim(String issuerName, String jwtId, Instant expiresAt) throws SubjectTokenRejected {
        try {
            jdbc.update(
                    "insert into subject_token_use (issuer, jti, expires_at) values (?, ?, ?)",
                    issuerName,
                    jwtId,
                    Timestamp.from(expiresAt));
        } catch (DuplicateKeyException e) {
            throw new SubjectTokenRejected(REPLAYED, "subject_token was already exchanged; request a fresh one");
        }
    }

    /**
     * Gives back a {@code jti} claimed by an exchange whose token never left Ferry, so that the
     * client's retry with the same subject token is not refused as a replay.
     */
    void release(String issuerName, String jwtId) {
        jdbc.update("delete from subject_token_use where issuer = ? and jti = ?", issuerName, jwtId);
    }

    /**
     * Deletes the entries of tokens that every replica now refuses as expired: by the database's clock,
     * which all replicas share, with a margin of {@code ferry.replicas.clock-skew} for a replica whose
     * own clock runs behind it. By the pruning replica's clock, a replica running ahead would delete
     * entries the others still need.
     */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void prune() {
        Instant before = databaseClock.now().minus(KEEP_AFTER_EXPIRY).minus(replicaClockSkew);
        jdbc.update("delete from subject_token_use where expires_at < ?", Timestamp.from(before));
    }
}
