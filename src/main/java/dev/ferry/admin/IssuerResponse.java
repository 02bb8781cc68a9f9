package dev.ferry.admin;

import dev.ferry.federation.IssuerType;
import dev.ferry.federation.StoredIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** An issuer as the admin API shows it: its definition with every default filled in, and its metadata. */
record IssuerResponse(
        String name,
        IssuerType type,
        String issuerUrl,
        String jwksUri,
        JsonNode jwks,
        List<String> acceptedAudiences,
        List<String> algorithms,
        int clockSkewSeconds,
        Integer maxTokenAgeSeconds,
        boolean replayProtection,
        Map<String, String> claimMappings,
        boolean enabled,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    static IssuerResponse of(StoredIssuer stored) {
        var d = stored.definition();
        return new IssuerResponse(
                d.name(),
                d.type(),
                d.issuerUrl(),
                d.jwksUri(),
                d.jwks(),
                d.acceptedAudiences(),
                d.algorithms(),
                d.clockSkewSeconds(),
                d.maxTokenAgeSeconds(),
                d.replayProtection(),
                d.claimMappings(),
                d.enabled(),
                stored.version(),
                stored.createdAt(),
                stored.updatedAt());
    }
}
