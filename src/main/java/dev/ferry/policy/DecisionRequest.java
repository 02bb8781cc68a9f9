package dev.ferry.policy;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What is to be decided.
 *
 * @param issuer the verified issuer's name
 * @param claims the subject token's claims
 * @param target the one requested audience or resource
 * @param requestedScopes the requested scopes, or null when the request named none
 * @param dpopProof whether the request carried a valid DPoP proof (RFC 9449), so the token would be bound
 */
public record DecisionRequest(
        String issuer, JsonNode claims, String target, List<String> requestedScopes, boolean dpopProof) {

    /** A request without a DPoP proof. */
    public DecisionRequest(String issuer, JsonNode claims, String target, List<String> requestedScopes) {
        this(issuer, claims, target, requestedScopes, false);
    }
}
