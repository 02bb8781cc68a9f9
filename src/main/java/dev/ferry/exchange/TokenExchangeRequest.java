package dev.ferry.exchange;

import java.util.List;

/**
 * A well-formed RFC 8693 token exchange request.
 *
 * @param target the one audience or resource requested
 * @param requestedScopes null when {@code scope} was not sent
 * @param requestedTokenType the token type to issue, echoed as {@code issued_token_type}
 * @param dpopProofs the values of the request's {@code DPoP} headers (RFC 9449 §4.1), in order; empty
 *     without one. Checked by {@code DpopProofVerifier}, not here: each value's every check is its.
 */
record TokenExchangeRequest(
        String subjectToken,
        String subjectTokenType,
        String target,
        List<String> requestedScopes,
        String requestedTokenType,
        List<String> dpopProofs) {}
