package dev.ferry.dpop;

import dev.ferry.config.FerryProperties;
import dev.ferry.token.SigningKeys;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Server-provided DPoP nonces (RFC 9449 §8), with {@code ferry.dpop.nonce=required}: stateless, so any
 * replica accepts a nonce another one gave out, without sticky sessions. Time is cut into slots of
 * {@code ferry.dpop.nonce-lifetime}; the nonce of a slot is its number and an HMAC-SHA256 of it, under
 * a key every replica derives from {@code ferry.keys.encryption-key} ({@link SigningKeys#derivedKeys}):
 * no secret is stored for nonces, none can be read from the database. A nonce is accepted during its
 * slot and the next; and, for a replica whose clock runs behind the one that gave it out, up to
 * {@code ferry.replicas.clock-skew} before its slot begins. After the encryption key is rotated, a nonce
 * made under the previous one (by a replica not yet restarted, or just before) is still accepted.
 */
@Component
public class DpopNonces {

    /** The response header that carries a fresh nonce (RFC 9449 §8.1). */
    public static final String HEADER = "DPoP-Nonce";

    /** What the nonce key is derived for: the HKDF info. Changing it changes every replica's nonces. */
    static final String PURPOSE = "ferry DPoP-Nonce v1";

    private static final String MAC = "HmacSHA256";
    private static final int MAC_BYTES = 16;

    private final Supplier<List<SecretKey>> keySource;
    private final Clock clock;
    private final boolean required;
    private final long slotSeconds;
    private final Duration replicaClockSkew;
    private volatile List<SecretKey> keys;
    private volatile Slot handedOut;

    /** The nonce of one slot. */
    private record Slot(long number, String nonce) {}

    @Autowired
    DpopNonces(SigningKeys signingKeys, Clock clock, FerryProperties properties) {
        this(() -> signingKeys.derivedKeys(PURPOSE), clock, properties);
    }

    /** With the keys from elsewhere: the one to make nonces with first, then others still accepted. */
    DpopNonces(Supplier<List<SecretKey>> keys, Clock clock, FerryProperties properties) {
        this.keySource = keys;
        this.clock = clock;
        this.required = properties.dpop().nonce() == FerryProperties.Dpop.Nonce.REQUIRED;
        this.slotSeconds = properties.dpop().nonceLifetime().toSeconds();
        this.replicaClockSkew = properties.replicas().clockSkew();
    }

    /** Whether every proof must carry a nonce Ferry gave out. */
    public boolean required() {
        return required;
    }

    /** The nonce to hand out now, when nonces are required; empty when they are not. */
    public Optional<String> current() {
        if (!required) {
            return Optional.empty();
        }
        long slot = slot(clock.instant().getEpochSecond());
        Slot last = handedOut;
        if (last != null && last.number() == slot) {
            return Optional.of(last.nonce());
        }
        Slot fresh = new Slot(slot, nonce(slot));
        handedOut = fresh;
        return Optional.of(fresh.nonce());
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
        byte[] given = Arrays.copyOfRange(raw, Long.BYTES, raw.length);
        for (SecretKey key : keys()) {
            if (MessageDigest.isEqual(given, mac(key, slot))) {
                return true;
            }
        }
        return false;
    }

    private long slot(long epochSecond) {
        return Math.floorDiv(epochSecond, slotSeconds);
    }

    private String nonce(long slot) {
        ByteBuffer raw = ByteBuffer.allocate(Long.BYTES + MAC_BYTES);
        raw.putLong(slot).put(mac(keys().get(0), slot));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.array());
    }

    private static byte[] mac(SecretKey key, long slot) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            return Arrays.copyOf(
                    mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(slot).array()), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** Derived on the first need (the signing keys have their encryption key by then), then kept. */
    private List<SecretKey> keys() {
        List<SecretKey> known = keys;
        if (known == null) {
            known = List.copyOf(keySource.get());
            keys = known;
        }
        return known;
    }
}
