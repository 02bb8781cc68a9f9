package dev.ferry.federation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A trusted issuer as operators define it (docs/issuers.md). Fields left null take their defaults
 * when stored; {@link IssuerService} returns definitions with every default filled in.
 *
 * @param name slug, the issuer's key
 * @param type {@code github}, {@code gitlab} or {@code oidc}; fills issuer URL and claim mappings
 * @param issuerUrl the exact {@code iss} of the issuer's tokens
 * @param jwksUri where its keys are, if not found through discovery
 * @param jwks its keys inline, a JWK set (public keys only)
 * @param acceptedAudiences a subject token's {@code aud} must contain one of these
 * @param algorithms the JWS algorithms accepted from this issuer (asymmetric only)
 * @param clockSkewSeconds tolerance on {@code exp}, {@code nbf} and {@code iat}
 * @param maxTokenAgeSeconds optional bound on now minus {@code iat}
 * @param replayProtection accept each {@code jti} only once
 * @param claimMappings issued claim name → upstream claim (a top-level name or dotted path)
 * @param enabled a disabled issuer's tokens are refused
 */
@JsonIgnoreProperties(
        value = {"version", "createdAt", "updatedAt"},
        allowGetters = true)
@Schema(
        description =
                "A trusted issuer; omitted fields take their defaults (type presets, RS256, 60 s skew, Ferry's URL as audience)",
        example = """
                {"name": "github", "type": "github", "acceptedAudiences": ["https://ferry.example.com"]}""")
public record IssuerDefinition(
        String name,
        IssuerType type,
        String issuerUrl,
        String jwksUri,
        JsonNode jwks,
        List<String> acceptedAudiences,
        List<String> algorithms,
        Integer clockSkewSeconds,
        Integer maxTokenAgeSeconds,
        Boolean replayProtection,
        Map<String, String> claimMappings,
        Boolean enabled) {

    /** This definition under another name: for a {@code PUT}, whose path names the issuer. */
    public IssuerDefinition withName(String name) {
        return new IssuerDefinition(
                name,
                type,
                issuerUrl,
                jwksUri,
                jwks,
                acceptedAudiences,
                algorithms,
                clockSkewSeconds,
                maxTokenAgeSeconds,
                replayProtection,
                claimMappings,
                enabled);
    }
}
