/**
 * DPoP (RFC 9449) at the token endpoint: {@link dev.ferry.dpop.DpopProofVerifier}, the one place that
 * validates DPoP proofs; the store of proofs already used, shared by every replica through the
 * database; and the server-provided nonces of {@code ferry.dpop.nonce} ({@link dev.ferry.dpop.DpopNonces}).
 */
package dev.ferry.dpop;
