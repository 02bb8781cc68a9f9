package dev.ferry.federation;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.ferry.config.FerryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import org.springframework.stereotype.Component;

/**
 * Builds each issuer's key source with Nimbus {@link JWKSourceBuilder}: cached, refreshed ahead of
 * expiry, refreshed at most once per {@code jwks-min-refresh-interval} for an unknown {@code kid}
 * (concurrent refreshes coalesce on the cache's lock), retried once, and serving the last good set
 * for {@code jwks-outage-tolerance} while the issuer is unreachable.
 */
@Component
class KeySources {

    private final FerryProperties.Federation settings;
    private final FederationRetriever retriever;
    private final MeterRegistry registry;

    KeySources(FerryProperties properties, MeterRegistry registry) {
        this.settings = properties.federation();
        this.retriever = new FederationRetriever(settings);
        this.registry = registry;
    }

    JWKSource<SecurityContext> build(IssuerDefinition issuer) {
        if (issuer.jwks() != null) {
            try {
                return new ImmutableJWKSet<>(JWKSet.parse(issuer.jwks().toString()));
            } catch (ParseException e) {
                throw new IllegalStateException("stored jwks of issuer '" + issuer.name() + "' does not parse", e);
            }
        }
        JWKSetSource<SecurityContext> source = new CountingJWKSetSource(
                issuer.jwksUri() != null
                        ? new URLBasedJWKSetSource<>(url(issuer.jwksUri()), retriever)
                        : new DiscoveredJWKSetSource(issuer.issuerUrl(), retriever),
                issuer.name(),
                registry);
        long ttl = settings.jwksCacheTtl().toMillis();
        long refreshTimeout = settings.jwksRefreshTimeout().toMillis();
        return JWKSourceBuilder.create(source)
                .cache(ttl, refreshTimeout)
                .refreshAheadCache(settings.jwksRefreshAhead().toMillis(), false)
                .rateLimited(settings.jwksMinRefreshInterval().toMillis())
                .retrying(true)
                .outageTolerant(settings.jwksOutageTolerance().toMillis())
                .build();
    }

    private static java.net.URL url(String value) {
        try {
            return URI.create(value).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("stored jwksUri does not parse: " + value, e);
        }
    }
}
