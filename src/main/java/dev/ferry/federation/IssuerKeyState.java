package dev.ferry.federation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.ferry.core.DefinitionException;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What Ferry knows of an issuer's keys, for operators ({@code GET /admin/v1/issuers/{name}/keys}):
 * where they come from, when they were last fetched, the last failure, and the public keys.
 */
@Component
public class IssuerKeyState {

    /**
     * @param source {@code inline}, {@code jwksUri} or {@code discovery}
     * @param jwksUri the key set's address: the configured one, or the one discovery found last
     * @param lastFetchedAt the last successful fetch by this replica, or null (never, or inline keys)
     * @param lastFailure the last failed fetch by this replica, or null
     * @param keys the public keys of the last key set fetched (or given inline)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeySet(String source, String jwksUri, Instant lastFetchedAt, Failure lastFailure, List<Key> keys) {}

    /** A failed fetch: when, and why. */
    public record Failure(Instant at, String message) {}

    /** A public key, as a key set names it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Key(String kid, String kty, String alg, String use, String crv) {}

    private final IssuerRegistry registry;

    IssuerKeyState(IssuerRegistry registry) {
        this.registry = registry;
    }

    public KeySet of(String issuerName) {
        IssuerDefinition definition = registry.definitionOf(issuerName);
        KeySources.IssuerKeys keys = registry.keysOf(issuerName);
        if (definition == null || keys == null) {
            throw new DefinitionException.NotFound("issuer", issuerName);
        }
        if (keys.observed() == null) {
            return new KeySet("inline", null, null, null, keys(inline(definition)));
        }
        ObservedJWKSetSource.Fetch success = keys.observed().lastSuccess();
        ObservedJWKSetSource.Fetch failure = keys.observed().lastFailure();
        String jwksUri = definition.jwksUri() != null
                ? definition.jwksUri()
                : keys.observed().jwksUri();
        return new KeySet(
                definition.jwksUri() != null ? "jwksUri" : "discovery",
                jwksUri,
                success == null ? null : success.at(),
                failure == null ? null : new Failure(failure.at(), failure.failure()),
                success == null ? List.of() : keys(success.keys()));
    }

    private static JWKSet inline(IssuerDefinition definition) {
        try {
            return JWKSet.parse(definition.jwks().toString()).toPublicJWKSet();
        } catch (ParseException e) {
            return new JWKSet();
        }
    }

    private static List<Key> keys(JWKSet set) {
        return set.getKeys().stream().map(IssuerKeyState::key).toList();
    }

    private static Key key(JWK jwk) {
        String crv = jwk.toJSONObject().get("crv") instanceof String curve ? curve : null;
        return new Key(
                jwk.getKeyID(),
                jwk.getKeyType().getValue(),
                jwk.getAlgorithm() == null ? null : jwk.getAlgorithm().getName(),
                jwk.getKeyUse() == null ? null : jwk.getKeyUse().identifier(),
                crv);
    }
}
