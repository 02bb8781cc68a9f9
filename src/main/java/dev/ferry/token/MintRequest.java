package dev.ferry.token;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a token is minted for: the output of a verified subject token and a granted decision.
 *
 * @param issuerName the configured issuer that vouched for the caller: becomes {@code client_id} and prefixes {@code sub}
 * @param upstreamIssuer the subject token's {@code iss}
 * @param upstreamSubject the subject token's {@code sub}
 * @param upstreamJwtId the subject token's {@code jti}, or null
 * @param audience the one target: becomes {@code aud}
 * @param scopes issued scopes
 * @param lifetime from {@code iat} to {@code exp}
 * @param carriedClaims the issuer's mapped claims
 * @param dpopJkt the RFC 7638 thumbprint of the DPoP proof's key: the token is bound to it ({@code cnf.jkt},
 *     RFC 9449 §6.1); null for a bearer token
 */
public record MintRequest(
        String issuerName,
        String upstreamIssuer,
        String upstreamSubject,
        String upstreamJwtId,
        String audience,
        List<String> scopes,
        Duration lifetime,
        Map<String, Object> carriedClaims,
        String dpopJkt) {

    /** A request for a bearer token, bound to no key. */
    public MintRequest(
            String issuerName,
            String upstreamIssuer,
            String upstreamSubject,
            String upstreamJwtId,
            String audience,
            List<String> scopes,
            Duration lifetime,
            Map<String, Object> carriedClaims) {
        this(
                issuerName,
                upstreamIssuer,
                upstreamSubject,
                upstreamJwtId,
                audience,
                scopes,
                lifetime,
                carriedClaims,
                null);
    }
}
