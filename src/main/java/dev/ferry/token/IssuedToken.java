package dev.ferry.token;

import java.time.Instant;

/**
 * A minted access token, and the facts about it the response and the audit log need.
 *
 * @param tokenType {@value #BEARER}, or {@value #DPOP} for a token bound to a DPoP key (RFC 9449 §5)
 */
public record IssuedToken(
        String accessToken, String tokenId, String scope, Instant issuedAt, Instant expiresAt, String tokenType) {

    /** RFC 6750: whoever holds the token may use it. */
    public static final String BEARER = "Bearer";

    /** RFC 9449 §5: the token is used with a DPoP proof signed by the key it is bound to. */
    public static final String DPOP = "DPoP";
}
