package dev.ferry.dpop;

import static dev.ferry.dpop.DpopProofRejected.Reason.REPLAYED;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DatabaseClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Accepts each DPoP proof once (RFC 9449 §11.1), on whichever replica it arrives: the primary key of
 * {@code dpop_proof_use} (the proof key's thumbprint and the SHA-256 of the proof's {@code jti})
 * decides, so concurrent copies of one proof let exactly one through. The {@code jti} is kept hashed:
 * fixed in size whatever the client sent, and no proof text in the database. Entries are kept until no
 * replica accepts the proof anyway, its {@code iat} being too old: pruned by the database's clock, as
 * the subject token's replay store is.
 */
@Component
class ProofReplayGuard {

    private final JdbcTemplate jdbc;
    private final DatabaseClock databaseClock;
    private final Duration replicaClockSkew;

    ProofReplayGuard(JdbcTemplate jdbc, DatabaseClock databaseClock, FerryProperties properties) {
        this.jdbc = jdbc;
        this.databaseClock = databaseClock;
        this.replicaClockSkew = properties.replicas().clockSkew();
    }

    /**
     * Uses up the proof with this key thumbprint and {@code jti}, or refuses it as replayed.
     *
     * @param acceptedUntil when the proof becomes too old for Ferry to accept
     */
    void claim(String jkt, String jwtId, Instant acceptedUntil) throws DpopProofRejected {
        try {
            jdbc.update(
                    "insert into dpop_proof_use (jkt, jti_hash, expires_at) values (?, ?, ?)",
                    jkt,
                    sha256(jwtId),
                    Timestamp.from(acceptedUntil));
        } catch (DuplicateKeyException e) {
            throw new DpopProofRejected(
                    REPLAYED,
                    "the DPoP proof was used before: make a new proof, with a new jti, for every request",
                    "the proof's jti was already used with key " + jkt);
        }
    }

    /**
     * Deletes the entries of proofs every replica now refuses as too old: by the database's clock, with
     * a margin of {@code ferry.replicas.clock-skew} for a replica whose clock runs behind it.
     */
    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
    void prune() {
        Instant before = databaseClock.now().minus(replicaClockSkew);
        jdbc.update("delete from dpop_proof_use where expires_at < ?", Timestamp.from(before));
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
