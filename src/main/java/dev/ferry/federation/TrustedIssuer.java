package dev.ferry.federation;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
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
                Map.copyOf(d.claimMappings()),
                d.enabled(),
                keys);
    }
}
