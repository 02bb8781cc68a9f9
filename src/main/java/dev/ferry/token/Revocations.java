package dev.ferry.token;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DatabaseClock;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * Revoked Ferry tokens (RFC 7009), kept in the database so every replica honours a revocation at
 * once: single tokens by {@code jti}, and every token of an upstream subject issued up to a moment.
 * Entries are deleted once the tokens they cover have expired anyway.
 */
@Component
public class Revocations {

    /** Validators accept a token up to their clock skew past {@code exp}: keep entries a while longer. */
    private static final Duration KEEP_AFTER_EXPIRY = Duration.ofMinutes(5);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final DatabaseClock databaseClock;
    private final FerryProperties properties;

    Revocations(JdbcTemplate jdbc, Clock clock, DatabaseClock databaseClock, FerryProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.databaseClock = databaseClock;
        this.properties = properties;
    }

    /** Revokes one token; {@code expiresAt} null means unknown (kept for {@code ferry.token.max-ttl}). */
    public void revokeToken(String tokenId, Instant expiresAt, String reason) {
        Instant now = clock.instant();
        Instant keepUntil =
                expiresAt != null ? expiresAt : now.plus(properties.token().maxTtl());
        try {
            jdbc.update(
                    "insert into revoked_token (jti, expires_at, revoked_at, reason) values (?, ?, ?, ?)",
                    tokenId,
                    Timestamp.from(keepUntil),
                    Timestamp.from(now),
                    reason);
        } catch (DuplicateKeyException alreadyRevoked) {
            // revoking twice is revoking once
        }
    }

    /**
     * Revokes every token issued so far (and until this call returns) for {@code subject} of {@code
     * issuer}. A token's {@code iat} is stamped by the replica that minted it, whose clock may run ahead
     * of this one's: the revocation is measured on the database's clock and covers tokens stamped up to
     * {@code ferry.replicas.clock-skew} later, so a token minted before it is never left out (tokens the
     * subject gets in that margin after it are refused too).
     *
     * @return the latest {@code iat} the revocation covers
     */
    public Instant revokeSubject(String issuer, String subject) {
        Instant before = databaseClock.now().plus(properties.replicas().clockSkew());
        jdbc.update(
                "insert into subject_revocation (id, issuer, subject, revoked_before, expires_at) values (?, ?, ?, ?, ?)",
                UUID.randomUUID().toString(),
                issuer,
                subject,
                Timestamp.from(before),
                Timestamp.from(before.plus(properties.token().maxTtl())));
        return before;
    }

    /** Whether a valid Ferry token has been revoked, by its id or through its subject. */
    public boolean isRevoked(Jwt token) {
        Long byId = jdbc.queryForObject("select count(*) from revoked_token where jti = ?", Long.class, token.getId());
        if (byId != null && byId > 0) {
            return true;
        }
        Object upstream = token.getClaims().get("upstream");
        String issuer = token.getClaimAsString("client_id");
        if (!(upstream instanceof Map<?, ?> source) || issuer == null || token.getIssuedAt() == null) {
            return false;
        }
        Long bySubject = jdbc.queryForObject(
                "select count(*) from subject_revocation where issuer = ? and subject = ? and revoked_before >= ?",
                Long.class,
                issuer,
                String.valueOf(source.get("sub")),
                Timestamp.from(token.getIssuedAt()));
        return bySubject != null && bySubject > 0;
    }

    /** Deletes entries whose tokens have expired everywhere: by the database's clock, less the replicas' skew. */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT2M")
    void prune() {
        Timestamp before = Timestamp.from(databaseClock
                .now()
                .minus(KEEP_AFTER_EXPIRY)
                .minus(properties.replicas().clockSkew()));
        jdbc.update("delete from revoked_token where expires_at < ?", before);
        jdbc.update("delete from subject_revocation where expires_at < ?", before);
    }
}
