package dev.ferry.token;

import dev.ferry.config.FerryProperties;
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
    private final FerryProperties properties;

    Revocations(JdbcTemplate jdbc, Clock clock, FerryProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
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

    /** Revokes every token issued so far (and until this call returns) for {@code subject} of {@code issuer}. */
    public Instant revokeSubject(String issuer, String subject) {
        Instant now = clock.instant();
        jdbc.update(
                "insert into subject_revocation (id, issuer, subject, revoked_before, expires_at) values (?, ?, ?, ?, ?)",
                UUID.randomUUID().toString(),
                issuer,
                subject,
                Timestamp.from(now),
                Timestamp.from(now.plus(properties.token().maxTtl())));
        return now;
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

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT2M")
    void prune() {
        Timestamp now = Timestamp.from(clock.instant().minus(KEEP_AFTER_EXPIRY));
        jdbc.update("delete from revoked_token where expires_at < ?", now);
        jdbc.update("delete from subject_revocation where expires_at < ?", now);
    }
}
