package dev.ferry.dpop;

/**
 * A DPoP proof that passed every check of {@link DpopProofVerifier} and whose {@code jti} is now used.
 *
 * @param jkt the RFC 7638 SHA-256 thumbprint of the proof's public key, base64url: the issued token's
 *     {@code cnf.jkt} (RFC 9449 §6.1)
 */
public record VerifiedDpopProof(String jkt) {}
