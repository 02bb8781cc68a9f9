package dev.ferry.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * One audit event as the admin API shows it: an exchange ({@code kind: exchange}) or a change to a
 * definition ({@code kind: admin}). Fields that do not apply are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(
        String id,
        Instant occurredAt,
        String kind,
        String outcome,
        String error,
        String errorDescription,
        String detail,
        String issuer,
        String subject,
        JsonNode claims,
        String target,
        JsonNode requestedScopes,
        JsonNode grantedScopes,
        JsonNode matchedRules,
        JsonNode decision,
        String tokenId,
        Instant tokenExpiresAt,
        String clientAddress,
        String principal,
        String action,
        String entityType,
        String entityName,
        JsonNode before,
        JsonNode after) {}
