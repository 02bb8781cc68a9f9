package dev.ferry.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.ferry.config.FerryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * {@link SigningKeys} whose key ring comes from memory instead of the database: {@code key} signing
 * with {@code signer}, under the header {@code SigningKeys.reload} builds for it. For tests and
 * benchmarks of {@link TokenMinter} without Spring.
 */
public final class FixedKeyRing {

    private FixedKeyRing() {}

    public static SigningKeys of(JWK key, JWSSigner signer, FerryProperties properties) {
        SigningKeys.KeyRing ring = new SigningKeys.KeyRing(
                key,
                new JWSHeader.Builder(JWSAlgorithm.parse(key.getAlgorithm().getName()))
                        .type(SigningKeys.ACCESS_TOKEN_TYPE)
                        .keyID(key.getKeyID())
                        .build(),
                signer,
                new JWKSet(key.toPublicJWK()),
                key.getKeyID() + ":active");
        return new SigningKeys(null, properties, null, null, Clock.systemUTC(), new SimpleMeterRegistry()) {
            @Override
            KeyRing ring() {
                return ring;
            }
        };
    }
}
