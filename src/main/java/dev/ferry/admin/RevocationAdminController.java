package dev.ferry.admin;

import dev.ferry.audit.AdminEvent;
import dev.ferry.audit.AuditIds;
import dev.ferry.audit.AuditLog;
import dev.ferry.audit.AuditQuery;
import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException;
import dev.ferry.core.Slug;
import dev.ferry.token.Revocations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/v1/revocations}: revoke one token by its id ({@code jti}), every unexpired token
 * of an upstream subject ({@code issuer} + {@code subject}: also those issued in the same instant on
 * other replicas), or every unexpired token a rule granted (found in the audit log). Introspection
 * honours it at once, on every replica; JWT-validating gateways cannot (docs/gateways.md).
 */
@RestController
class RevocationAdminController {

    /** Exactly one of: {@code tokenId}; {@code issuer} and {@code subject}; {@code rule}. */
    record RevocationRequest(String tokenId, String issuer, String subject, String rule) {}

    /** @param revokedTokens tokens revoked by id; {@code subjectRevokedBefore} set for a subject revocation */
    record RevocationResult(int revokedTokens, Instant subjectRevokedBefore) {}

    private final Revocations revocations;
    private final AuditLog audit;
    private final AuditQuery auditQuery;
    private final Duration maxTtl;
    private final Clock clock;

    RevocationAdminController(
            Revocations revocations, AuditLog audit, AuditQuery auditQuery, FerryProperties properties, Clock clock) {
        this.revocations = revocations;
        this.audit = audit;
        this.auditQuery = auditQuery;
        this.maxTtl = properties.token().maxTtl();
        this.clock = clock;
    }

    @PostMapping("/admin/v1/revocations")
    RevocationResult revoke(@RequestBody RevocationRequest request, Authentication caller) throws InterruptedException {
        RevocationResult result = apply(request);
        audit.recordAdmin(new AdminEvent(
                AuditIds.next(),
                clock.instant(),
                Principals.name(caller),
                "revoke",
                "token",
                request.rule() != null ? request.rule() : null,
                null,
                Map.of("request", request, "result", result)));
        return result;
    }

    private RevocationResult apply(RevocationRequest request) throws InterruptedException {
        int given = (request.tokenId() != null ? 1 : 0)
                + (request.subject() != null || request.issuer() != null ? 1 : 0)
                + (request.rule() != null ? 1 : 0);
        if (given != 1) {
            throw new DefinitionException.Invalid("tokenId", "give exactly one of: tokenId; issuer and subject; rule");
        }
        if (request.tokenId() != null) {
            if (request.tokenId().isBlank() || request.tokenId().length() > 64) {
                throw new DefinitionException.Invalid(
                        "tokenId", "tokenId must be the jti of a Ferry token (1 to 64 characters)");
            }
            revocations.revokeToken(request.tokenId(), expiryOf(request.tokenId()), "admin");
            return new RevocationResult(1, null);
        }
        if (request.rule() != null) {
            if (!Slug.isSlug(request.rule())) {
                throw new DefinitionException.Invalid("rule", "rule must be a rule name");
            }
            return new RevocationResult(revokeGrantedBy(request.rule()), null);
        }
        if (request.issuer() == null || request.subject() == null) {
            throw new DefinitionException.Invalid(
                    request.issuer() == null ? "issuer" : "subject",
                    "a subject revocation needs both issuer and subject");
        }
        if (!Slug.isSlug(request.issuer())) {
            throw new DefinitionException.Invalid("issuer", "issuer must be an issuer name");
        }
        if (request.subject().isEmpty() || request.subject().length() > 1024) {
            throw new DefinitionException.Invalid(
                    "subject", "subject must be the upstream sub claim (1 to 1024 characters)");
        }
        return new RevocationResult(0, revocations.revokeSubject(request.issuer(), request.subject()));
    }

    /** The token's expiry from its audit event, once every event recorded so far is written. */
    private Instant expiryOf(String tokenId) throws InterruptedException {
        audit.flush(Duration.ofSeconds(5));
        return auditQuery.tokenExpiry(tokenId).orElse(null);
    }

    private int revokeGrantedBy(String rule) throws InterruptedException {
        audit.flush(Duration.ofSeconds(5));
        Instant now = clock.instant();
        // Tokens live at most ferry.token.max-ttl: older grants have expired anyway (a margin for clocks).
        Map<String, Instant> tokens =
                auditQuery.unexpiredTokensGrantedBy(rule, now, now.minus(maxTtl).minus(Duration.ofMinutes(10)));
        tokens.forEach((token, expiry) -> revocations.revokeToken(token, expiry, "rule:" + rule));
        return tokens.size();
    }
}
