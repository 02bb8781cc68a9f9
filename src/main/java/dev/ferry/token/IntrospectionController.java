package dev.ferry.token;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * {@code POST /introspect} (RFC 7662) for registered clients (HTTP Basic, enforced by the security
 * chain). An active token's answer carries its claims; expired, revoked, foreign and garbled tokens
 * all answer {@code {"active": false}} and nothing else (RFC 7662 §2.2). A token bound to a DPoP key
 * answers {@code token_type: DPoP} and its {@code cnf} with the key's {@code jkt} (RFC 9449 §6.2), so
 * that an introspecting gateway can check the proof that comes with it.
 */
@RestController
class IntrospectionController {

    private final JwtDecoder ferryTokens;

    IntrospectionController(FerryTokens tokens) {
        this.ferryTokens = tokens.decoder(null);
    }

    @PostMapping(
            path = "/introspect",
            consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary =
                    "Introspect a Ferry token (RFC 7662); the token in the form body, the caller a registered client (HTTP Basic)",
            responses = {
                @ApiResponse(
                        responseCode = "200",
                        description = "active: true and the token's claims; or active: false and nothing else",
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema =
                                                @Schema(
                                                        type = "object",
                                                        additionalProperties = Schema.AdditionalPropertiesValue.TRUE))),
                @ApiResponse(
                        responseCode = "400",
                        description = "invalid_request: no token, or the token in the query string",
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(type = "object"))),
                @ApiResponse(
                        responseCode = "401",
                        description = "invalid_client: missing or wrong client credentials (WWW-Authenticate: Basic)",
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(type = "object")))
            })
    ResponseEntity<?> introspect(
            @RequestParam(name = "token", required = false) String token,
            @Parameter(hidden = true) HttpServletRequest request) {
        ResponseEntity<byte[]> refused = TokenParameter.refusal(request, token);
        if (refused != null) {
            return refused;
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(answer(token));
    }

    private Map<String, Object> answer(String token) {
        Jwt jwt;
        try {
            jwt = ferryTokens.decode(token);
        } catch (JwtException expiredRevokedForeignOrGarbled) {
            return Map.of("active", false);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", true);
        jwt.getClaims()
                .forEach((name, value) ->
                        body.put(name, value instanceof Instant instant ? instant.getEpochSecond() : value));
        // Last, so no claim (a mapping stored before these names were reserved) can stand in for them.
        body.put("active", true);
        body.put("token_type", isBound(jwt) ? IssuedToken.DPOP : IssuedToken.BEARER);
        return body;
    }

    /** RFC 9449 §6.1: bound to a DPoP key when its {@code cnf} names one by thumbprint. */
    private static boolean isBound(Jwt jwt) {
        Map<String, Object> cnf = jwt.getClaimAsMap("cnf");
        return cnf != null && cnf.get("jkt") instanceof String jkt && !jkt.isEmpty();
    }
}
