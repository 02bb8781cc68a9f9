package dev.ferry.federation;

import java.time.Instant;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * A subject token that passed every check of {@link SubjectTokenVerifier}.
 *
 * @param issuerName the configured issuer's name
 * @param issuerUrl the token's {@code iss}
 * @param subject the token's {@code sub}
 * @param jwtId the token's {@code jti}, or null
 * @param expiresAt the token's {@code exp}
 * @param claims every claim of the token, for the policy to match
 * @param carriedClaims the issuer's mapped claims (issued claim name → value), to carry into Ferry's token
 * @param replayProtection whether the issuer asked for replay protection when the token was verified: its
 *     {@code jti} must then be used up before a token is issued, whatever the issuer's settings are by then
 */
public record VerifiedSubjectToken(
        String issuerName,
        String issuerUrl,
        String subject,
        String jwtId,
        Instant expiresAt,
        ObjectNode claims,
        Map<String, Object> carriedClaims,
        boolean replayProtection) {}
