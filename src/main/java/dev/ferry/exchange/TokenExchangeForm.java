package dev.ferry.exchange;

import io.swagger.v3.oas.annotations.media.Schema;

/** The form of {@code POST /token}, for the OpenAPI description only: the controller parses the body itself, strictly. */
@Schema(
        name = "TokenExchangeForm",
        description = "RFC 8693 §2.1 token exchange request, application/x-www-form-urlencoded")
record TokenExchangeForm(
        @Schema(
                requiredMode = Schema.RequiredMode.REQUIRED,
                example = "urn:ietf:params:oauth:grant-type:token-exchange")
        String grant_type,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "the CI job's OIDC ID token (a compact JWS)")
        String subject_token,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "urn:ietf:params:oauth:token-type:id_token")
        String subject_token_type,

        @Schema(
                description = "the one target; give audience or resource, not both",
                example = "https://deploy.example.com")
        String audience,

        @Schema(description = "the one target as an absolute URI (RFC 8707)")
        String resource,

        @Schema(description = "space-delimited; omitted = every scope the matching rules grant", example = "deploy")
        String scope,

        @Schema(example = "urn:ietf:params:oauth:token-type:access_token")
        String requested_token_type) {}
