package dev.ferry.federation;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.ferry.core.ReservedClaims;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * An issuer as the verifier uses it: its definition compiled, and its (cached) key source.
 *
 * @param maxTokenAge null when the issuer sets no bound
 */
record TrustedIssuer(
        String name,
        String issuerUrl,
        Set<String> acceptedAudiences,
        Set<JWSAlgorithm> algorithms,
        Duration clockSkew,
        Duration maxTokenAge,
        boolean replayProtection,
        Map<String, String> claimMappings,
        boolean enabled,
        JWKSource<SecurityContext> keys) {

    static TrustedIssuer of(IssuerDefinition d, JWKSource<SecurityContext> keys) {
        return new TrustedIssuer(
                d.name(),
                d.issuerUrl(),
                Set.copyOf(d.acceptedAudiences()),
                Set.copyOf(d.algorithms().stream().map(JWSAlgorithm::parse).toList()),
                Duration.ofSeconds(d.clockSkewSeconds()),
                d.maxTokenAgeSeconds() == null ? null : Duration.ofSeconds(d.maxTokenAgeSeconds()),
                d.replayProtection(),
                carriedMappings(d.claimMappings()),
                d.enabled(),
                keys);
    }

    /**
     * The mappings of {@code mappings} that may be carried: none to a reserved claim, even one stored
     * before its name was reserved ({@link IssuerRegistry} warns of those at start-up).
     */
    static Map<String, String> carriedMappings(Map<String, String> mappings) {
        Map<String, String> carried = new java.util.LinkedHashMap<>(mappings);
        carried.keySet().removeAll(ReservedClaims.NAMES);
        return Map.copyOf(carried);
    }
}
