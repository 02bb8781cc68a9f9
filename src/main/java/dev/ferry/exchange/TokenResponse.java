package dev.ferry.exchange;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/** The body of a successful {@code POST /token} (RFC 8693 §2.2.1, RFC 6749 §5.1). */
@Schema(name = "TokenResponse")
record TokenResponse(
        @Schema(description = "the access token, a JWT (RFC 9068)")
        String access_token,

        @Schema(example = "urn:ietf:params:oauth:token-type:access_token")
        String issued_token_type,

        @Schema(
                description = "Bearer; DPoP for a token bound to the key of the request's DPoP proof (RFC 9449)",
                example = "Bearer")
        String token_type,

        @Schema(description = "seconds until the access token expires", example = "900")
        long expires_in,

        @Schema(description = "the scopes granted, space-delimited", example = "deploy")
        String scope) {

    /** The body of a refused {@code POST /token} (RFC 6749 §5.2), with the id that finds the refusal in the audit log. */
    @Schema(name = "TokenError")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(
            @Schema(example = "invalid_target") String error,
            String error_description,

            @Schema(description = "the exchange id, to look up in the audit log")
            String exchange_id) {}
}
