package dev.ferry.token;

import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.ferry.config.FerryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * {@link SigningKeys} whose key ring comes from memory instead of the database: {@code key} signing
 * with {@code signer}, under the header Ferry signs access tokens with. For tests and
 * benchmarks of {@link TokenMinter} without Spring.
 */
public final class FixedKeyRing {

    private FixedKeyRing() {}

    public static SigningKeys of(JWK key, JWSSigner signer, FerryProperties properties) {
        SigningKeys.KeyRing ring = new SigningKeys.KeyRing(
                key,
                SigningKeys.accessTokenHeader(key.getAlgorithm().getName(), key.getKeyID()),
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
