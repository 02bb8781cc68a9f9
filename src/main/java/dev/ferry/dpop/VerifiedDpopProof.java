package dev.ferry.dpop;

import java.time.Instant;

/**
 * A DPoP proof that passed every check of {@link DpopProofVerifier}; its {@code jti} is used up by
 * {@link DpopProofVerifier#useOnce} once the decision is known, granted or refused.
 *
 * @param jkt the RFC 7638 SHA-256 thumbprint of the proof's public key, base64url: the issued token's
 *     {@code cnf.jkt} (RFC 9449 §6.1)
 * @param jwtId the proof's {@code jti}
 * @param acceptedUntil when the proof becomes too old for Ferry to accept ({@code iat} plus
 *     {@code ferry.dpop.proof-max-age}): how long its {@code jti} must be remembered
 */
public record VerifiedDpopProof(String jkt, String jwtId, Instant acceptedUntil) {}
