package dev.ferry.federation;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;

/** Counts an issuer's real JWKS fetches ({@code ferry.jwks.fetches}, by issuer and outcome); sits under the cache. */
final class CountingJWKSetSource implements JWKSetSource<SecurityContext> {

    private final JWKSetSource<SecurityContext> delegate;
    private final Counter successes;
    private final Counter failures;

    CountingJWKSetSource(JWKSetSource<SecurityContext> delegate, String issuer, MeterRegistry registry) {
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
            return set;
        } catch (KeySourceException | RuntimeException e) {
            failures.increment();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
