package dev.ferry.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.SigningAlgorithm;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.crypto.SecretKey;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ferry's signing keys in memory: the key that signs now, and the public keys gateways should
 * accept (the next key, the active one, and retired ones whose tokens may still be valid). The only
 * code that holds private keys. Loaded at start-up, when the first key is generated if there is none,
 * and reloaded every {@code ferry.cache.refresh}, so every replica follows the rotations that
 * {@link KeyRotation} performs on any of them.
 */
@Component
public class SigningKeys {

    /** RFC 9068 §2.1. */
    static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    private final SigningKeyVault vault;
    private final FerryProperties properties;
    private final DataSource dataSource;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private volatile KeyRing ring;

    private volatile Instant activeSince;
    private volatile String reloadFailure;
    private volatile KeyEncryption encryption;

    SigningKeys(
            SigningKeyVault vault,
            FerryProperties properties,
            DataSource dataSource,
            TransactionTemplate transactions,
            Clock clock,
            MeterRegistry registry) {
        this.vault = vault;
        this.properties = properties;
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.clock = clock;
        Gauge.builder(
                        "ferry.signing.key.age",
                        this,
                        keys -> keys.activeSince == null
                                ? 0
                                : Duration.between(keys.activeSince, keys.clock.instant())
                                        .toSeconds())
                .description("Seconds since the active signing key started signing")
                .baseUnit("seconds")
                .register(registry);
    }

    /**
     * Keys for {@code purpose} derived from {@code ferry.keys.encryption-key} (HKDF-Expand, RFC 5869
     * §2.3): every replica has them, and none is stored. The first is derived from the current key, the
     * others from {@code ferry.keys.previous-encryption-keys}, in order, so what was made with a key
     * before its rotation can still be checked.
     */
    public List<SecretKey> derivedKeys(String purpose) {
        return encryption.derive(purpose);
    }

    /**
     * The key that signs now (with its signer, and the JWS header every token it signs carries),
     * and the public keys gateways should accept.
     *
     * @param fingerprint which keys, in which states, this ring was built from
     */
    record KeyRing(JWK active, JWSHeader header, JWSSigner signer, JWKSet published, String fingerprint) {}

    @PostConstruct
    void start() {
        encryption = EncryptionKeySource.encryption(properties, dataSource);
        vault.useEncryption(encryption);
        transactions.executeWithoutResult(status -> {
            vault.lock();
            if (vault.all().stream().noneMatch(k -> SigningKeyEntity.ACTIVE.equals(k.state))) {
                vault.create(
                        properties.keys().algorithm(),
                        SigningKeyEntity.ACTIVE,
                        clock.instant().truncatedTo(ChronoUnit.MILLIS));
            }
            vault.reencrypt();
        });
        reload();
        log.info(
                "Signing with key {} ({})",
                ring.active().getKeyID(),
                ring.active().getAlgorithm());
    }

    /** Rebuilds the ring from the database when its keys or their states changed. */
    @Scheduled(fixedDelayString = "${ferry.cache.refresh:5s}", initialDelayString = "${ferry.cache.refresh:5s}")
    public void reload() {
        try {
            load();
            reloadFailure = null;
        } catch (RuntimeException e) {
            reloadFailure = e.getMessage();
            log.error(
                    "Cannot load the current signing keys; still signing with {}: {}",
                    ring == null ? "nothing" : ring.active().getKeyID(),
                    e.getMessage());
            if (ring == null) {
                throw e;
            }
        }
    }

    /** Why the last reload failed (this replica is then not ready), or null when it succeeded. */
    public String reloadFailure() {
        return reloadFailure;
    }

    private void load() {
        List<SigningKeyEntity> keys = vault.all();
        String fingerprint = keys.stream().map(k -> k.kid + ":" + k.state).reduce("", (a, b) -> a + "," + b);
        KeyRing current = ring;
        if (current != null && current.fingerprint().equals(fingerprint)) {
            return;
        }
        SigningKeyEntity active = keys.stream()
                .filter(k -> SigningKeyEntity.ACTIVE.equals(k.state))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no active signing key in the database"));
        JWK privateKey = current != null && current.active().getKeyID().equals(active.kid)
                ? current.active()
                : vault.privateKey(active);
        activeSince = active.activatedAt != null ? active.activatedAt : active.createdAt;
        JWKSet published =
                new JWKSet(keys.stream().map(SigningKeyVault::publicKey).toList());
        ring = new KeyRing(
                privateKey,
                accessTokenHeader(active.algorithm, active.kid),
                signer(privateKey),
                published,
                fingerprint);
        if (current != null && !current.active().getKeyID().equals(active.kid)) {
            log.info("Now signing with key {} ({})", active.kid, active.algorithm);
        }
    }

    KeyRing ring() {
        return ring;
    }

    /** The public keys of every published key, for the JWKS endpoint. */
    public JWKSet publishedKeys() {
        return ring.published();
    }

    static JWK generate(SigningAlgorithm algorithm) {
        JWSAlgorithm alg = algorithm.jwsAlgorithm();
        try {
            switch (algorithm) {
                case ES256:
                    return new ECKeyGenerator(Curve.P_256)
                            .algorithm(alg)
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint(true)
                            .generate();
                case EdDSA:
                    return new OctetKeyPairGenerator(Curve.Ed25519)
                            .algorithm(alg)
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint(true)
                            .generate();
                default:
                    return new RSAKeyGenerator(2048)
                            .algorithm(alg)
                            .keyUse(KeyUse.SIGNATURE)
                            .keyIDFromThumbprint(true)
                            .generate();
            }
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
    }

    /** The header of every access token signed with key {@code kid}: its algorithm, {@code typ: at+jwt}, the kid. */
    static JWSHeader accessTokenHeader(String algorithm, String kid) {
        return new JWSHeader.Builder(JWSAlgorithm.parse(algorithm))
                .type(ACCESS_TOKEN_TYPE)
                .keyID(kid)
                .build();
    }

    static JWSSigner signer(JWK key) {
        try {
            if (key instanceof ECKey ec) {
                return new ECDSASigner(ec);
            }
            if (key instanceof OctetKeyPair okp) {
                return new Ed25519Signer(okp);
            }
            return new RSASSASigner((RSAKey) key);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with key " + key.getKeyID(), e);
        }
    }
}
