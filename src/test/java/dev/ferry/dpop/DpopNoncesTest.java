package dev.ferry.dpop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.FerryProperties;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Nonces made with the first key and checked with every key: after the encryption key is rotated, a nonce
 * of the previous key still passes, one of a key the replica does not have never does.
 */
class DpopNoncesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T00:00:00Z"), ZoneOffset.UTC);
    private static final FerryProperties PROPERTIES = new Binder(new MapConfigurationPropertySource(
                    Map.of("ferry.issuer", "https://ferry.example.com", "ferry.dpop.nonce", "required")))
            .bindOrCreate("ferry", FerryProperties.class);

    private static final SecretKey OLD = key(1);
    private static final SecretKey NEW = key(2);

    @Test
    void aReplicaWithTheNewKeyAcceptsNoncesOfTheOldOneAndHandsOutItsOwn() {
        String oldNonce = nonces(OLD).current().orElseThrow();
        DpopNonces rotated = nonces(NEW, OLD);

        assertThat(rotated.accepts(oldNonce)).isTrue();
        String newNonce = rotated.current().orElseThrow();
        assertThat(newNonce).isNotEqualTo(oldNonce);
        assertThat(rotated.accepts(newNonce)).isTrue();
        assertThat(nonces(OLD).accepts(newNonce))
                .as("a replica not yet restarted refuses the new key's nonce (and answers with its own)")
                .isFalse();
        assertThat(nonces(NEW).accepts(oldNonce))
                .as("once the previous key is removed")
                .isFalse();
    }

    @Test
    void aNonceIsItsSlotAndAMacNothingElsePasses() {
        DpopNonces nonces = nonces(NEW);
        String nonce = nonces.current().orElseThrow();

        char last = nonce.charAt(nonce.length() - 1);
        assertThat(nonces.accepts(nonce.substring(0, nonce.length() - 1) + (last == 'A' ? 'B' : 'A')))
                .isFalse();
        assertThat(nonces.accepts("not base64url!")).isFalse();
        assertThat(nonces.accepts("")).isFalse();
    }

    private static DpopNonces nonces(SecretKey... keys) {
        return new DpopNonces(() -> List.of(keys), CLOCK, PROPERTIES);
    }

    private static SecretKey key(int fill) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) fill);
        return new SecretKeySpec(bytes, "HmacSHA256");
    }
}
