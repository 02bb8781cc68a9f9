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

    /**
     * An issuer's key source, and, for fetched key sets, the watch on its fetches.
     *
     * @param observed null for a key set given inline
     */
    record IssuerKeys(JWKSource<SecurityContext> keys, ObservedJWKSetSource observed) {}

    IssuerKeys build(IssuerDefinition issuer) {
        if (issuer.jwks() != null) {
            try {
                return new IssuerKeys(
                        new ImmutableJWKSet<>(JWKSet.parse(issuer.jwks().toString())), null);
            } catch (ParseException e) {
                throw new IllegalStateException("stored jwks of issuer '" + issuer.name() + "' does not parse", e);
            }
        }
        ObservedJWKSetSource source = new ObservedJWKSetSource(
                issuer.jwksUri() != null
                        ? new URLBasedJWKSetSource<>(url(issuer.jwksUri()), retriever)
                        : new DiscoveredJWKSetSource(issuer.issuerUrl(), retriever),
                issuer.name(),
                registry);
        long ttl = settings.jwksCacheTtl().toMillis();
        long refreshTimeout = settings.jwksRefreshTimeout().toMillis();
        return new IssuerKeys(
                JWKSourceBuilder.create((JWKSetSource<SecurityContext>) source)
                        .cache(ttl, refreshTimeout)
                        .refreshAheadCache(settings.jwksRefreshAhead().toMillis(), false)
                        .rateLimited(settings.jwksMinRefreshInterval().toMillis())
                        .retrying(true)
                        .outageTolerant(settings.jwksOutageTolerance().toMillis())
                        .build(),
                source);
    }

    private static java.net.URL url(String value) {
        try {
            return URI.create(value).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("stored jwksUri does not parse: " + value, e);
        }
    }
}
