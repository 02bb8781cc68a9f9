package dev.ferry.token;

import dev.ferry.config.FerryProperties;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import tools.jackson.databind.json.JsonMapper;

/**
 * What gateways read: the JWKS (RFC 7517) and the server metadata, one document valid both as RFC
 * 8414 authorization server metadata and as OpenID Connect Discovery, so that validators configured
 * with nothing but Ferry's issuer URL find the keys.
 */
@RestController
class WellKnownController {

    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    /** RFC 7517 §8.5.1. */
    static final MediaType JWK_SET = MediaType.parseMediaType("application/jwk-set+json");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SigningKeys keys;
    private final Duration jwksMaxAge;
    private final Map<String, Object> metadata;

    WellKnownController(SigningKeys keys, FerryProperties properties) {
        this.keys = keys;
        this.jwksMaxAge = properties.keys().jwksMaxAge();
        String issuer = properties.issuerId();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", issuer);
        m.put("token_endpoint", issuer + "/token");
        m.put("jwks_uri", issuer + "/.well-known/jwks.json");
        m.put("introspection_endpoint", issuer + "/introspect");
        m.put("introspection_endpoint_auth_methods_supported", List.of("client_secret_basic"));
        m.put("revocation_endpoint", issuer + "/revoke");
        m.put("revocation_endpoint_auth_methods_supported", List.of("none"));
        m.put("grant_types_supported", List.of(TOKEN_EXCHANGE));
        m.put("token_endpoint_auth_methods_supported", List.of("none"));
        m.put("response_types_supported", List.of());
        m.put("subject_types_supported", List.of("public"));
        // RFC 9449 §5.1: the algorithms Ferry accepts DPoP proofs in.
        m.put(
                "dpop_signing_alg_values_supported",
                properties.dpop().algorithms().stream()
                        .map(algorithm -> algorithm.jwsAlgorithm().getName())
                        .toList());
        this.metadata = Collections.unmodifiableMap(m);
    }

    /**
     * The published keys, cacheable for no longer than {@code ferry.keys.publish-ahead} (at most five
     * minutes), so a gateway honouring {@code max-age} always knows a new key before it signs; with an
     * {@code ETag} for cheap revalidation. Served whatever the request's {@code Accept} says, as every
     * public issuer serves its key set: {@code application/json} when that is what the client asked
     * for, else {@code application/jwk-set+json} (RFC 7517 §8.5.1).
     */
    @GetMapping("/.well-known/jwks.json")
    ResponseEntity<byte[]> jwks(WebRequest request) {
        Map<String, Object> jwks = keys.publishedKeys().toJSONObject(true);
        String etag = "\"" + Integer.toHexString(jwks.toString().hashCode()) + "\"";
        CacheControl cache = CacheControl.maxAge(jwksMaxAge).cachePublic();
        if (request.checkNotModified(etag)) {
            return ResponseEntity.status(304).cacheControl(cache).eTag(etag).build();
        }
        return ResponseEntity.ok()
                .cacheControl(cache)
                .eTag(etag)
                .contentType(asksForPlainJson(request) ? MediaType.APPLICATION_JSON : JWK_SET)
                .body(JSON.writeValueAsBytes(jwks));
    }

    /**
     * RFC 8414 §3 and OpenID Connect Discovery §4: the same document at both addresses, always
     * {@code application/json}, whatever the request's {@code Accept} says.
     */
    @GetMapping({"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"})
    ResponseEntity<byte[]> metadata() {
        Map<String, Object> document = new LinkedHashMap<>(metadata);
        document.put(
                "id_token_signing_alg_values_supported",
                keys.publishedKeys().getKeys().stream()
                        .map(key -> key.getAlgorithm().getName())
                        .distinct()
                        .toList());
        return ResponseEntity.ok()
                .cacheControl(CacheControl.maxAge(Duration.ofHours(1)).cachePublic())
                .contentType(MediaType.APPLICATION_JSON)
                .body(JSON.writeValueAsBytes(document));
    }

    /** Whether {@code Accept} names {@code application/json} and not the JWK set type. */
    private static boolean asksForPlainJson(WebRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        try {
            List<MediaType> types = MediaType.parseMediaTypes(accept);
            return types.stream().anyMatch(type -> type.equalsTypeAndSubtype(MediaType.APPLICATION_JSON))
                    && types.stream().noneMatch(type -> type.equalsTypeAndSubtype(JWK_SET));
        } catch (InvalidMediaTypeException e) {
            return false; // a malformed Accept still gets the key set
        }
    }
}
