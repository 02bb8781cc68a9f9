package dev.ferry.federation;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetRetrievalException;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.Map;

/**
 * Finds an issuer's JWKS through OpenID Connect Discovery, then reads it. The discovery document's
 * {@code issuer} must equal the configured issuer URL exactly (OpenID Connect Discovery §4.3). The
 * {@code jwks_uri} found is kept until a fetch of it fails, when discovery is read again. Caching,
 * rate limiting and outage tolerance wrap this source ({@link KeySources}).
 */
final class DiscoveredJWKSetSource implements JWKSetSource<SecurityContext> {

    private final String issuerUrl;
    private final ResourceRetriever retriever;
    private volatile URLBasedJWKSetSource<SecurityContext> delegate;

    DiscoveredJWKSetSource(String issuerUrl, ResourceRetriever retriever) {
        this.issuerUrl = issuerUrl;
        this.retriever = retriever;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator evaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        URLBasedJWKSetSource<SecurityContext> source = delegate;
        if (source == null) {
            source = new URLBasedJWKSetSource<>(discoverJwksUri(), retriever);
            delegate = source;
        }
        try {
            return source.getJWKSet(evaluator, currentTime, context);
        } catch (KeySourceException e) {
            delegate = null;
            throw e;
        }
    }

    /** The {@code jwks_uri} discovery found last, or null before the first discovery (or after a failed fetch). */
    String jwksUri() {
        URLBasedJWKSetSource<SecurityContext> source = delegate;
        return source == null ? null : source.getJWKSetURL().toString();
    }

    private URL discoverJwksUri() throws JWKSetRetrievalException {
        String base = issuerUrl.endsWith("/") ? issuerUrl.substring(0, issuerUrl.length() - 1) : issuerUrl;
        try {
            URL discovery =
                    URI.create(base + "/.well-known/openid-configuration").toURL();
            Map<String, Object> document =
                    JSONObjectUtils.parse(retriever.retrieveResource(discovery).getContent());
            if (!issuerUrl.equals(JSONObjectUtils.getString(document, "issuer"))) {
                throw new JWKSetRetrievalException(
                        "discovery document of " + issuerUrl + " names another issuer", null);
            }
            String jwksUri = JSONObjectUtils.getString(document, "jwks_uri");
            if (jwksUri == null) {
                throw new JWKSetRetrievalException("discovery document of " + issuerUrl + " has no jwks_uri", null);
            }
            return URI.create(jwksUri).toURL();
        } catch (IOException | ParseException | IllegalArgumentException e) {
            throw new JWKSetRetrievalException("discovery of " + issuerUrl + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {}
}
