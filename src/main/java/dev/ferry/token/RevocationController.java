package dev.ferry.token;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.SchemaProperty;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /revoke} (RFC 7009): the holder of a Ferry token revokes it, say at the end of a CI job.
 * Possession of the token is the credential. The answer is 200 whatever was sent (RFC 7009 §2.2):
 * an invalid, expired or foreign token, or none, has nothing to revoke; a token sent in the URL instead
 * of the form body is revoked all the same, since it may now be in access logs.
 */
@RestController
class RevocationController {

    private final JwtDecoder ferryTokens;
    private final Revocations revocations;

    RevocationController(FerryTokens tokens, Revocations revocations) {
        this.ferryTokens = tokens.decoder(null);
        this.revocations = revocations;
    }

    @PostMapping("/revoke")
    @Operation(
            summary = "Revoke a Ferry token (RFC 7009); the token in the form body, possession of it the credential",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
                                            schemaProperties =
                                                    @SchemaProperty(
                                                            name = "token",
                                                            schema = @Schema(type = "string")))),
            responses =
                    @ApiResponse(
                            responseCode = "200",
                            description =
                                    "always: revoked, or nothing to revoke (an invalid, expired or foreign token, or none)",
                            content = @Content))
    ResponseEntity<Void> revoke(
            @Parameter(hidden = true) @RequestParam(name = "token", required = false) String token) {
        if (token != null && !token.isEmpty()) {
            try {
                Jwt jwt = ferryTokens.decode(token);
                revocations.revokeToken(jwt.getId(), jwt.getExpiresAt(), "holder");
            } catch (JwtException nothingToRevoke) {
                // RFC 7009 §2.2: invalid tokens do not cause an error
            }
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).build();
    }
}
