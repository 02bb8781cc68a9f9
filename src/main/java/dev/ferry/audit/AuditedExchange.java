package dev.ferry.audit;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * An audited exchange that got as far as a verified subject token, as a replay needs it: its
 * verified claims, the target and scopes it asked for, and how it ended.
 *
 * @param outcome {@code issued} or {@code refused}
 * @param requestedScopes the scopes asked for; null when the request named none
 * @param dpopProof whether the request carried a valid DPoP proof
 */
public record AuditedExchange(
        String exchangeId,
        Instant occurredAt,
        String outcome,
        String issuer,
        String subject,
        JsonNode claims,
        String target,
        List<String> requestedScopes,
        boolean dpopProof) {}
