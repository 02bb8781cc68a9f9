package dev.ferry.token;

import com.nimbusds.jose.jwk.JWK;
import dev.ferry.config.SigningAlgorithm;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Where signing keys are kept: rows of {@code signing_key}, private parts encrypted. Every change
 * runs inside a transaction holding the {@code signing-keys} row lock, so replicas change keys one
 * at a time and exactly one of them performs any given rotation.
 */
@Component
class SigningKeyVault {

    private static final Logger log = LoggerFactory.getLogger(SigningKeyVault.class);

    private final SigningKeyRepository repository;
    private final JdbcTemplate jdbc;
    private KeyEncryption encryption;

    SigningKeyVault(SigningKeyRepository repository, JdbcTemplate jdbc) {
        this.repository = repository;
        this.jdbc = jdbc;
    }

    void useEncryption(KeyEncryption encryption) {
        this.encryption = encryption;
    }

    /** Takes the signing-keys lock until the surrounding transaction ends. */
    @Transactional(propagation = Propagation.MANDATORY)
    void lock() {
        jdbc.queryForObject("select name from ferry_lock where name = 'signing-keys' for update", String.class);
    }

    /** Every key, newest first. */
    List<SigningKeyEntity> all() {
        return repository.findAll().stream()
                .sorted(Comparator.comparing((SigningKeyEntity k) -> k.createdAt)
                        .reversed())
                .toList();
    }

    SigningKeyEntity create(SigningAlgorithm algorithm, String state, Instant now) {
        JWK key = SigningKeys.generate(algorithm);
        SigningKeyEntity entity = new SigningKeyEntity();
        entity.kid = key.getKeyID();
        entity.algorithm = key.getAlgorithm().getName();
        entity.state = state;
        entity.publicJwk = key.toPublicJWK().toJSONString();
        entity.privateJwkEncrypted = encryption.encrypt(key.toJSONString(), key.getKeyID());
        entity.createdAt = now;
        entity.activatedAt = SigningKeyEntity.ACTIVE.equals(state) ? now : null;
        log.info("Generated signing key {} ({}), {}", entity.kid, entity.algorithm, state);
        return repository.save(entity);
    }

    SigningKeyEntity save(SigningKeyEntity entity) {
        return repository.save(entity);
    }

    void delete(SigningKeyEntity entity) {
        repository.delete(entity);
        log.info("Deleted signing key {} ({})", entity.kid, entity.state);
    }

    JWK privateKey(SigningKeyEntity entity) {
        try {
            return JWK.parse(
                    encryption.decrypt(entity.privateJwkEncrypted, entity.kid).plaintext());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot decrypt signing key " + entity.kid
                            + ": neither ferry.keys.encryption-key nor ferry.keys.previous-encryption-keys is the key it was encrypted with");
        } catch (ParseException e) {
            throw new IllegalStateException("stored signing key " + entity.kid + " does not parse");
        }
    }

    /** Re-encrypts under the current encryption key every key still under a previous one. */
    void reencrypt() {
        for (SigningKeyEntity entity : repository.findAll()) {
            try {
                KeyEncryption.Decrypted decrypted = encryption.decrypt(entity.privateJwkEncrypted, entity.kid);
                if (decrypted.underPreviousKey()) {
                    entity.privateJwkEncrypted = encryption.encrypt(decrypted.plaintext(), entity.kid);
                    repository.save(entity);
                    log.info("Re-encrypted signing key {} under the current ferry.keys.encryption-key", entity.kid);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(
                        "cannot decrypt signing key " + entity.kid
                                + ": neither ferry.keys.encryption-key nor ferry.keys.previous-encryption-keys is the key it was encrypted with");
            }
        }
    }

    static JWK publicKey(SigningKeyEntity entity) {
        try {
            return JWK.parse(entity.publicJwk);
        } catch (ParseException e) {
            throw new IllegalStateException("stored public key " + entity.kid + " does not parse");
        }
    }
}
