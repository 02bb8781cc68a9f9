package dev.ferry.federation;

import com.google.re2j.Pattern;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException.Invalid;
import dev.ferry.core.ReservedClaims;
import dev.ferry.core.Slug;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** Checks an issuer definition field by field and fills in its defaults. */
@Component
class IssuerValidator {

    private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_:-]{0,63}");
    private static final Pattern CLAIM_PATH = Pattern.compile("[^.\\s]{1,128}(?:\\.[^.\\s]{1,128}){0,7}");

    /** Asymmetric JWS algorithms only: RFC 8725 §3.1, and the HS256-with-a-public-key attack. */
    static final Set<String> ALGORITHMS =
            Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

    static final int DEFAULT_CLOCK_SKEW_SECONDS = 60;
    static final int MAX_CLOCK_SKEW_SECONDS = 300;
    static final int MAX_TOKEN_AGE_SECONDS = 86_400;

    private final FerryProperties properties;

    IssuerValidator(FerryProperties properties) {
        this.properties = properties;
    }

    IssuerDefinition normalize(IssuerDefinition in) {
        String name = Slug.require("name", in.name());
        IssuerType type = in.type() == null ? IssuerType.OIDC : in.type();
        String issuerUrl = in.issuerUrl() != null ? in.issuerUrl() : type.defaultIssuerUrl();
        if (issuerUrl == null) {
            throw new Invalid("issuerUrl", "issuerUrl is required for type 'oidc'");
        }
        requireUrl("issuerUrl", issuerUrl);
        JsonNode jwks = in.jwks() == null || in.jwks().isNull() ? null : in.jwks();
        if (in.jwksUri() != null) {
            requireUrl("jwksUri", in.jwksUri());
            if (jwks != null) {
                throw new Invalid("jwks", "give either jwksUri or jwks, not both");
            }
        }
        if (jwks != null) {
            if (!jwks.isObject()) {
                throw new Invalid("jwks", "jwks must be a JWK set: an object with a keys array");
            }
            requirePublicKeySet(jwks.toString());
        }
        return new IssuerDefinition(
                name,
                type,
                issuerUrl,
                in.jwksUri(),
                jwks,
                audiences(in.acceptedAudiences()),
                algorithms(in.algorithms()),
                within(
                        "clockSkewSeconds",
                        in.clockSkewSeconds(),
                        DEFAULT_CLOCK_SKEW_SECONDS,
                        0,
                        MAX_CLOCK_SKEW_SECONDS),
                in.maxTokenAgeSeconds() == null
                        ? null
                        : within("maxTokenAgeSeconds", in.maxTokenAgeSeconds(), 0, 1, MAX_TOKEN_AGE_SECONDS),
                in.replayProtection() != null && in.replayProtection(),
                claimMappings(in.claimMappings(), type),
                in.enabled() == null || in.enabled());
    }

    private void requireUrl(String field, String value) {
        if (value.length() > 2048) {
            throw new Invalid(field, field + " is at most 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new Invalid(field, field + " is not a valid URL");
        }
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new Invalid(field, field + " must be an absolute URL with a host");
        }
        boolean https = "https".equals(uri.getScheme());
        boolean http = "http".equals(uri.getScheme());
        if (!https && !(http && properties.federation().allowInsecureHttp())) {
            throw new Invalid(
                    field, field + " must use https (http only with ferry.federation.allow-insecure-http=true)");
        }
        if (uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new Invalid(field, field + " must not carry a fragment or user info");
        }
    }

    private static void requirePublicKeySet(String json) {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException | RuntimeException e) {
            throw new Invalid("jwks", "jwks is not a valid JWK set: " + e.getMessage());
        }
        if (set.getKeys().isEmpty()) {
            throw new Invalid("jwks", "jwks holds no keys");
        }
        for (JWK key : set.getKeys()) {
            if (key instanceof OctetSequenceKey) {
                throw new Invalid("jwks", "jwks must not hold symmetric keys");
            }
            if (key.isPrivate()) {
                throw new Invalid("jwks", "jwks must hold public keys only; a private key was given");
            }
            if (key instanceof RSAKey && key.size() < 2048) {
                throw new Invalid("jwks", "RSA keys must have at least 2048 bits");
            }
        }
    }

    private List<String> audiences(List<String> given) {
        if (given == null) {
            return List.of(properties.issuerId());
        }
        if (given.isEmpty() || given.size() > 16) {
            throw new Invalid("acceptedAudiences", "acceptedAudiences must hold 1 to 16 values");
        }
        for (String audience : given) {
            if (audience == null || audience.isBlank() || audience.length() > 512) {
                throw new Invalid(
                        "acceptedAudiences", "acceptedAudiences values must be non-blank, at most 512 characters");
            }
        }
        return List.copyOf(given);
    }

    private static List<String> algorithms(List<String> given) {
        if (given == null) {
            return List.of("RS256");
        }
        if (given.isEmpty()) {
            throw new Invalid("algorithms", "algorithms must not be empty");
        }
        for (String algorithm : given) {
            if (!ALGORITHMS.contains(algorithm)) {
                throw new Invalid(
                        "algorithms",
                        "algorithm '" + algorithm + "' is not accepted; use asymmetric ones: "
                                + String.join(", ", ALGORITHMS.stream().sorted().toList()));
            }
        }
        return List.copyOf(given);
    }

    private static int within(String field, Integer value, int fallback, int min, int max) {
        int result = value == null ? fallback : value;
        if (result < min || result > max) {
            throw new Invalid(field, field + " must be between " + min + " and " + max);
        }
        return result;
    }

    private static Map<String, String> claimMappings(Map<String, String> given, IssuerType type) {
        if (given == null) {
            return type.defaultClaimMappings();
        }
        if (given.size() > 64) {
            throw new Invalid("claimMappings", "claimMappings holds at most 64 entries");
        }
        Map<String, String> mappings = new LinkedHashMap<>();
        for (Map.Entry<String, String> mapping : given.entrySet()) {
            String claim = mapping.getKey();
            if (!CLAIM_NAME.matches(claim) || ReservedClaims.NAMES.contains(claim)) {
                throw new Invalid(
                        "claimMappings." + claim,
                        "'" + claim + "' cannot be an issued claim: use letters, digits, '_', ':' or '-', and none of "
                                + String.join(
                                        ", ",
                                        ReservedClaims.NAMES.stream().sorted().toList()));
            }
            if (mapping.getValue() == null || !CLAIM_PATH.matches(mapping.getValue())) {
                throw new Invalid("claimMappings." + claim, "the upstream claim must be a claim name or a dotted path");
            }
            mappings.put(claim, mapping.getValue());
        }
        return mappings;
    }
}
