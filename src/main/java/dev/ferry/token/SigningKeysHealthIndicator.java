package dev.ferry.token;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness ({@code signingKeys}): a replica that cannot load the current signing keys (say, it lacks the encryption key
 * the others now use) would sign with a stale key and publish an outdated JWKS; it reports DOWN.
 */
@Component
class SigningKeysHealthIndicator implements HealthIndicator {

    private final SigningKeys keys;

    SigningKeysHealthIndicator(SigningKeys keys) {
        this.keys = keys;
    }

    @Override
    public Health health() {
        String failure = keys.reloadFailure();
        return failure == null
                ? Health.up().build()
                : Health.down().withDetail("reason", failure).build();
    }
}
