package dev.ferry.dpop;

import dev.ferry.config.FerryProperties;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Server-provided DPoP nonces (RFC 9449 §8), with {@code ferry.dpop.nonce=required}: stateless, so any
 * replica accepts a nonce another one gave out, without sticky sessions. Time is cut into slots of
 * {@code ferry.dpop.nonce-lifetime}; the nonce of a slot is its number and an HMAC-SHA256 of it, under
 * a secret every replica reads from the database ({@code dpop_nonce_key}, written by the first replica
 * that needs it). A nonce is accepted during its slot and the next; and, for a replica whose clock runs
 * behind the one that gave it out, up to {@code ferry.replicas.clock-skew} before its slot begins.
 */
@Component
public class DpopNonces {

    /** The response header that carries a fresh nonce (RFC 9449 §8.1). */
    public static final String HEADER = "DPoP-Nonce";

    private static final Logger log = LoggerFactory.getLogger(DpopNonces.class);
    private static final String MAC = "HmacSHA256";
    private static final int MAC_BYTES = 16;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final boolean required;
    private final long slotSeconds;
    private final Duration replicaClockSkew;
    private volatile SecretKeySpec key;
    private volatile Slot handedOut;

    /** The nonce of one slot. */
    private record Slot(long number, String nonce) {}

    DpopNonces(JdbcTemplate jdbc, Clock clock, FerryProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.required = properties.dpop().nonce() == FerryProperties.Dpop.Nonce.REQUIRED;
        this.slotSeconds = properties.dpop().nonceLifetime().toSeconds();
        this.replicaClockSkew = properties.replicas().clockSkew();
    }

    /** Whether every proof must carry a nonce Ferry gave out. */
    public boolean required() {
        return required;
    }

    /**
     * The nonce to hand out now, when nonces are required; empty when they are not, or when the secret
     * cannot be read yet (the database is down: then the exchange fails anyway, and says so).
     */
    public Optional<String> current() {
        if (!required) {
            return Optional.empty();
        }
        long slot = slot(clock.instant().getEpochSecond());
        Slot last = handedOut;
        if (last != null && last.number() == slot) {
            return Optional.of(last.nonce());
        }
        try {
            Slot fresh = new Slot(slot, nonce(slot));
            handedOut = fresh;
            return Optional.of(fresh.nonce());
        } catch (DataAccessException e) {
            log.warn(
                    "No DPoP-Nonce handed out: the nonce secret cannot be read ({})",
                    e.getClass().getName());
            return Optional.empty();
        }
    }

    /** Whether {@code nonce} is one Ferry gave out, of the current slot or the one before it. */
    boolean accepts(String nonce) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (raw.length != Long.BYTES + MAC_BYTES) {
            return false;
        }
        long slot = ByteBuffer.wrap(raw).getLong();
        long now = clock.instant().getEpochSecond();
        if (slot < slot(now) - 1 || slot > slot(now + replicaClockSkew.toSeconds())) {
            return false;
        }
        return MessageDigest.isEqual(Arrays.copyOfRange(raw, Long.BYTES, raw.length), mac(slot));
    }

    private long slot(long epochSecond) {
        return Math.floorDiv(epochSecond, slotSeconds);
    }

    private String nonce(long slot) {
        ByteBuffer raw = ByteBuffer.allocate(Long.BYTES + MAC_BYTES);
        raw.putLong(slot).put(mac(slot));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.array());
    }

    private byte[] mac(long slot) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key());
            return Arrays.copyOf(
                    mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(slot).array()), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private SecretKeySpec key() {
        SecretKeySpec known = key;
        if (known == null) {
            synchronized (this) {
                if (key == null) {
                    key = new SecretKeySpec(Base64.getDecoder().decode(secret()), MAC);
                }
                known = key;
            }
        }
        return known;
    }

    /** The shared secret; the first replica to need it writes it, and the primary key keeps it one. */
    private String secret() {
        List<String> stored = jdbc.queryForList("select secret from dpop_nonce_key where id = 1", String.class);
        if (!stored.isEmpty()) {
            return stored.get(0);
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try {
            jdbc.update(
                    "insert into dpop_nonce_key (id, secret) values (1, ?)",
                    Base64.getEncoder().encodeToString(secret));
        } catch (DuplicateKeyException anotherReplicaWroteItFirst) {
            // read below
        }
        return jdbc.queryForObject("select secret from dpop_nonce_key where id = 1", String.class);
    }
}
