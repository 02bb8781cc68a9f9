package dev.ferry.exchange;

import dev.ferry.audit.AuditIds;
import dev.ferry.dpop.DpopNonces;
import dev.ferry.dpop.DpopProofVerifier;
import dev.ferry.token.IssuedToken;
import dev.ferry.web.OAuthErrors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /token}: RFC 8693 token exchange. No client authentication; the subject token is the
 * credential. Answers RFC 6749 §5.1 JSON on success and §5.2 JSON on error, always with
 * {@code Cache-Control: no-store} and the exchange id that finds the story in the audit log. The
 * answer is JSON whatever the request's {@code Accept} says: a token endpoint has no other format.
 */
@RestController
class TokenExchangeController {

    /** Response header carrying the exchange id on success (errors carry it in the body). */
    static final String EXCHANGE_ID_HEADER = "Ferry-Exchange-Id";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String NONCE_HEADER =
            "with ferry.dpop.nonce=required: the nonce the next DPoP proof must carry (RFC 9449 section 8)";

    private final TokenExchangeService service;
    private final RateLimits rateLimits;
    private final ExchangeMetrics metrics;
    private final DpopNonces nonces;

    TokenExchangeController(
            TokenExchangeService service, RateLimits rateLimits, ExchangeMetrics metrics, DpopNonces nonces) {
        this.service = service;
        this.rateLimits = rateLimits;
        this.metrics = metrics;
        this.nonces = nonces;
    }

    @PostMapping(OAuthErrors.TOKEN_PATH)
    @Operation(
            summary = "Exchange a CI job's OIDC ID token for an access token (RFC 8693)",
            parameters =
                    @Parameter(
                            name = DpopProofVerifier.HEADER,
                            in = ParameterIn.HEADER,
                            schema = @Schema(type = "string"),
                            description = "a DPoP proof (RFC 9449): the token is then bound to its key and its"
                                    + " token_type is DPoP"),
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
                                            schema = @Schema(implementation = TokenExchangeForm.class))),
            responses = {
                @ApiResponse(
                        responseCode = "200",
                        description = "the access token; header Ferry-Exchange-Id",
                        headers = @Header(name = DpopNonces.HEADER, description = NONCE_HEADER),
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = TokenResponse.class))),
                @ApiResponse(
                        responseCode = "400",
                        description = "invalid_request, invalid_target, invalid_scope, unsupported_grant_type,"
                                + " invalid_dpop_proof, use_dpop_nonce",
                        headers = @Header(name = DpopNonces.HEADER, description = NONCE_HEADER),
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = TokenResponse.Error.class))),
                @ApiResponse(
                        responseCode = "429",
                        description = "temporarily_unavailable: rate limited, with Retry-After",
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = TokenResponse.Error.class))),
                @ApiResponse(
                        responseCode = "503",
                        description = "temporarily_unavailable, with Retry-After",
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = TokenResponse.Error.class)))
            })
    ResponseEntity<byte[]> token(@Parameter(hidden = true) HttpServletRequest http) {
        long start = System.nanoTime();
        try {
            rateLimits.checkAddress(http.getRemoteAddr());
        } catch (ExchangeError limited) {
            // Not audited: a flood from one address must not become a flood of audit writes.
            metrics.record("rate_limited", null, limited.error().getErrorCode(), start);
            return limited.response(AuditIds.next(), dpopNonce());
        }
        ExchangeOutcome outcome = service.exchange(http);
        if (outcome instanceof ExchangeOutcome.Issued issued) {
            metrics.record("issued", issued.issuer(), null, start);
            return issued(issued, dpopNonce());
        }
        ExchangeError error = ((ExchangeOutcome.Refused) outcome).error();
        String kind = error.status() == HttpStatus.TOO_MANY_REQUESTS ? "rate_limited" : "refused";
        metrics.record(kind, outcome.issuer(), error.error().getErrorCode(), start);
        return error.response(outcome.exchangeId(), dpopNonce());
    }

    /**
     * With {@code ferry.dpop.nonce=required}, every answer carries the nonce the next proof must hold
     * (RFC 9449 §8.1 and §8.2), a refusal with {@code use_dpop_nonce} above all.
     */
    private HttpHeaders dpopNonce() {
        HttpHeaders headers = new HttpHeaders();
        nonces.current().ifPresent(nonce -> headers.set(DpopNonces.HEADER, nonce));
        return headers;
    }

    /**
     * RFC 6749 §5.1 and RFC 8693 §2.2.1: never cached, and the body as JSON bytes with its {@code
     * Content-Length}, since a body of unknown length would go out chunked, in two writes to the socket
     * instead of one.
     */
    private static ResponseEntity<byte[]> issued(ExchangeOutcome.Issued issued, HttpHeaders headers) {
        IssuedToken token = issued.token();
        byte[] json = JSON.writeValueAsBytes(new TokenResponse(
                token.accessToken(),
                issued.issuedTokenType(),
                token.tokenType(),
                Duration.between(token.issuedAt(), token.expiresAt()).toSeconds(),
                token.scope()));
        return ResponseEntity.ok()
                .headers(headers)
                .header(EXCHANGE_ID_HEADER, issued.exchangeId())
                .cacheControl(CacheControl.noStore())
                .header(HttpHeaders.PRAGMA, "no-cache")
                .contentType(MediaType.APPLICATION_JSON)
                .contentLength(json.length)
                .body(json);
    }
}
