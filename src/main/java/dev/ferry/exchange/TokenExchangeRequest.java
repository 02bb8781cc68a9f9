package dev.ferry.exchange;

import java.util.List;

/**
 * A well-formed RFC 8693 token exchange request.
 *
 * @param target the one audience or resource requested
 * @param requestedScopes null when {@code scope} was not sent
 * @param requestedTokenType the token type to issue, echoed as {@code issued_token_type}
 */
record TokenExchangeRequest(
        String subjectToken,
        String subjectTokenType,
        String target,
        List<String> requestedScopes,
        String requestedTokenType) {}
