package dev.ferry.core;

import java.util.Set;

/**
 * Claim names no issuer's claim mapping may write into a Ferry token: those Ferry sets itself, and
 * those gateways authorize or bind on, which only Ferry may assert.
 */
public final class ReservedClaims {

    /** The reserved names, each with the specification that gives it its meaning. */
    public static final Set<String> NAMES = Set.of(
            // RFC 7519 §4.1 and RFC 9068 §2.2: set by Ferry on every token.
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "nbf",
            "jti",
            "scope",
            "client_id",
            "typ",
            // The upstream token's provenance, set by Ferry (docs/gateways.md).
            "upstream",
            // RFC 9068 §2.2.3.1: authorization attributes gateways grant on.
            "scp",
            "roles",
            "groups",
            "entitlements",
            // RFC 8693 §4: delegation.
            "act",
            "may_act",
            // RFC 7800 and RFC 9449: proof-of-possession binding.
            "cnf",
            // OpenID Connect Core §2 and §3.1.3.6: authentication facts of a user's session.
            "azp",
            "auth_time",
            "acr",
            "amr",
            "sid",
            "nonce",
            "at_hash",
            // RFC 7662 §2.2's answer members that are not claims: an issued claim must not pose as them.
            "active",
            "token_type");

    private ReservedClaims() {}
}
