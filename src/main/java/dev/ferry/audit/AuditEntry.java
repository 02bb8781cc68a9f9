package dev.ferry.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * One audit event as the admin API shows it: an exchange ({@code kind: exchange}) or a change to a
 * definition ({@code kind: admin}). Fields that do not apply are left out.
 *
 * @param dpopJkt the thumbprint of the key of the exchange's valid DPoP proof; on an issued event, the key
 *     the token is bound to ({@code cnf.jkt})
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
        JsonNode after,
        String dpopJkt) {}
