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
import jakarta.annotation.PostConstruct;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ferry's signing keys: the only code that handles private keys. On first start one key is
 * generated ({@code ferry.keys.algorithm}) and stored with its private part encrypted; every later
 * start, and every other replica, loads and signs with that same key. The {@code signing-keys} row
 * lock makes replicas starting together agree on one key.
 */
@Component
public class SigningKeys {

    /** RFC 9068 §2.1. */
    static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    private final SigningKeyRepository repository;
    private final FerryProperties properties;
    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private KeyEncryption encryption;
    private volatile KeyRing ring;

    SigningKeys(
            SigningKeyRepository repository,
            FerryProperties properties,
            DataSource dataSource,
            JdbcTemplate jdbc,
            TransactionTemplate transactions,
            Clock clock) {
        this.repository = repository;
        this.properties = properties;
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * The key that signs now (with its signer, and the JWS header every token it signs carries),
     * and the public keys gateways should accept.
     */
    record KeyRing(JWK active, JWSHeader header, JWSSigner signer, JWKSet published) {}

    @PostConstruct
    void start() {
        encryption = new KeyEncryption(EncryptionKeySource.resolve(properties, dataSource));
        transactions.executeWithoutResult(status -> ensureActiveKey());
        ring = load();
        SigningAlgorithm configured = properties.keys().algorithm();
        if (!configured.jwsAlgorithm().equals(ring.active().getAlgorithm())) {
            log.warn(
                    "ferry.keys.algorithm is {} but the active signing key {} is {}; it keeps signing until keys are rotated",
                    configured, ring.active().getKeyID(), ring.active().getAlgorithm());
        }
        log.info("Signing with key {} ({})", ring.active().getKeyID(), ring.active().getAlgorithm());
    }

    KeyRing ring() {
        return ring;
    }

    /** The public keys of every published key, for the JWKS endpoint. */
    public JWKSet publishedKeys() {
        return ring.published();
    }

    private void ensureActiveKey() {
        jdbc.queryForObject("select name from ferry_lock where name = 'signing-keys' for update", String.class);
        if (!repository.findByState(SigningKeyEntity.ACTIVE).isEmpty()) {
            return;
        }
        JWK key = generate(properties.keys().algorithm());
        SigningKeyEntity entity = new SigningKeyEntity();
        entity.kid = key.getKeyID();
        entity.algorithm = key.getAlgorithm().getName();
        entity.state = SigningKeyEntity.ACTIVE;
        entity.publicJwk = key.toPublicJWK().toJSONString();
        entity.privateJwkEncrypted = encryption.encrypt(key.toJSONString(), key.getKeyID());
        entity.createdAt = clock.instant();
        entity.activatedAt = entity.createdAt;
        repository.save(entity);
        log.info("Generated signing key {} ({})", key.getKeyID(), key.getAlgorithm());
    }

    private KeyRing load() {
        List<SigningKeyEntity> keys = repository.findAll().stream()
                .sorted(Comparator.comparing((SigningKeyEntity k) -> k.createdAt).reversed())
                .toList();
        SigningKeyEntity active = keys.stream()
                .filter(k -> SigningKeyEntity.ACTIVE.equals(k.state))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no active signing key in the database"));
        JWK privateKey = decrypt(active);
        List<JWK> published = keys.stream().map(SigningKeys::publicJwk).toList();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.parse(active.algorithm))
                .type(ACCESS_TOKEN_TYPE)
                .keyID(active.kid)
                .build();
        return new KeyRing(privateKey, header, signer(privateKey), new JWKSet(published));
    }

    private JWK decrypt(SigningKeyEntity entity) {
        try {
            return JWK.parse(encryption.decrypt(entity.privateJwkEncrypted, entity.kid));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot decrypt signing key " + entity.kid + ": ferry.keys.encryption-key is not the key it was encrypted with");
        } catch (ParseException e) {
            throw new IllegalStateException("stored signing key " + entity.kid + " does not parse");
        }
    }

    private static JWK publicJwk(SigningKeyEntity entity) {
        try {
            return JWK.parse(entity.publicJwk);
        } catch (ParseException e) {
            throw new IllegalStateException("stored public key " + entity.kid + " does not parse");
        }
    }

    static JWK generate(SigningAlgorithm algorithm) {
        JWSAlgorithm alg = algorithm.jwsAlgorithm();
        try {
            switch (algorithm) {
                case ES256:
                    return new ECKeyGenerator(Curve.P_256).algorithm(alg).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
                case EdDSA:
                    return new OctetKeyPairGenerator(Curve.Ed25519).algorithm(alg).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
                default:
                    return new RSAKeyGenerator(2048).algorithm(alg).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
            }
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
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
