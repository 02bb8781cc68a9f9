/**
 * Trusted issuers: their definitions, discovery and JWKS caching, and {@link
 * dev.ferry.federation.SubjectTokenVerifier}, the one place that validates subject tokens. Only this
 * package makes outbound HTTP calls.
 */
package dev.ferry.federation;
