package dev.ferry.federation;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.ferry.web.CallerText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Instant;

/**
 * Watches an issuer's real JWKS fetches, under the cache: counts them ({@code ferry.jwks.fetches}, by
 * issuer and outcome) and remembers the last key set fetched and the last failure, for operators
 * ({@code GET /admin/v1/issuers/{name}/keys}).
 */
final class ObservedJWKSetSource implements JWKSetSource<SecurityContext> {

    /** The last fetch that succeeded, or failed: when, and what it got or why not. */
    record Fetch(Instant at, JWKSet keys, String failure) {}

    private final JWKSetSource<SecurityContext> delegate;
    private final Counter successes;
    private final Counter failures;
    private volatile Fetch lastSuccess;
    private volatile Fetch lastFailure;

    ObservedJWKSetSource(JWKSetSource<SecurityContext> delegate, String issuer, MeterRegistry registry) {
        this.delegate = delegate;
        this.successes = counter(registry, issuer, "success");
        this.failures = counter(registry, issuer, "failure");
    }

    private static Counter counter(MeterRegistry registry, String issuer, String outcome) {
        return Counter.builder("ferry.jwks.fetches")
                .description("Fetches of trusted issuers' JWKS (and discovery), by issuer and outcome")
                .tag("issuer", issuer)
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator evaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        try {
            JWKSet set = delegate.getJWKSet(evaluator, currentTime, context);
            successes.increment();
            lastSuccess = new Fetch(Instant.ofEpochMilli(currentTime), set.toPublicJWKSet(), null);
            return set;
        } catch (KeySourceException | RuntimeException e) {
            failures.increment();
            lastFailure = new Fetch(Instant.ofEpochMilli(currentTime), null, CallerText.loggable(e.getMessage()));
            throw e;
        }
    }

    /** The last successful fetch, or null when there was none. */
    Fetch lastSuccess() {
        return lastSuccess;
    }

    /** The last failed fetch, or null when there was none. */
    Fetch lastFailure() {
        return lastFailure;
    }

    /** Where the keys come from now: the configured {@code jwksUri}, or the one discovery found. */
    String jwksUri() {
        return delegate instanceof DiscoveredJWKSetSource discovered ? discovered.jwksUri() : null;
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
