package dev.ferry.exchange;

import dev.ferry.audit.AuditIds;
import dev.ferry.audit.AuditUnavailable;
import dev.ferry.audit.ExchangeEvent;
import dev.ferry.token.IssuedToken;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
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

    /** When a 503 caller may try again: long enough for an issuer's JWKS fetch to be retried. */
    private static final String RETRY_AFTER_SECONDS = "30";

    private static final Logger log = LoggerFactory.getLogger(TokenExchangeController.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TokenExchangeService service;
    private final RateLimits rateLimits;
    private final ExchangeMetrics metrics;
    private final Clock clock;

    TokenExchangeController(TokenExchangeService service, RateLimits rateLimits, ExchangeMetrics metrics, Clock clock) {
        this.service = service;
        this.rateLimits = rateLimits;
        this.metrics = metrics;
        this.clock = clock;
    }

    @PostMapping(OAuthEndpointErrors.TOKEN_PATH)
    @Operation(
            summary = "Exchange a CI job's OIDC ID token for an access token (RFC 8693)",
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
                        content =
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = TokenResponse.class))),
                @ApiResponse(
                        responseCode = "400",
                        description = "invalid_request, invalid_target, invalid_scope, unsupported_grant_type",
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
        ExchangeEvent.Builder event = ExchangeEvent.builder(AuditIds.next(), clock.instant(), http.getRemoteAddr());
        try {
            rateLimits.checkAddress(http.getRemoteAddr());
        } catch (ExchangeError limited) {
            // Not audited: a flood from one address must not become a flood of audit writes.
            metrics.record("rate_limited", null, limited.error().getErrorCode(), start);
            return serialized(respond(event.exchangeId(), limited));
        }
        ResponseEntity<?> response = answer(http, event);
        String error = response.getBody() instanceof TokenResponse.Error refusal ? refusal.error() : null;
        String outcome =
                error == null ? "issued" : response.getStatusCode().value() == 429 ? "rate_limited" : "refused";
        metrics.record(outcome, event.issuerName(), error, start);
        return serialized(response);
    }

    /**
     * Every answer of {@code /token} leaves through here: never cached (RFC 6749 §5.1), and the body
     * as JSON bytes with its {@code Content-Length}, since a body of unknown length would go out
     * chunked, in two writes to the socket instead of one.
     */
    private static ResponseEntity<byte[]> serialized(ResponseEntity<?> response) {
        byte[] json = JSON.writeValueAsBytes(response.getBody());
        return ResponseEntity.status(response.getStatusCode())
                .headers(response.getHeaders())
                .cacheControl(CacheControl.noStore())
                .header("Pragma", "no-cache")
                .contentType(MediaType.APPLICATION_JSON)
                .contentLength(json.length)
                .body(json);
    }

    private ResponseEntity<?> answer(HttpServletRequest http, ExchangeEvent.Builder event) {
        try {
            TokenExchangeRequest request = TokenExchangeRequestParser.parse(http);
            IssuedToken token = service.exchange(request, event);
            return success(request, token, event.exchangeId());
        } catch (ExchangeError e) {
            return failure(event, e);
        } catch (DataAccessException e) {
            // The class only: a driver's message may quote the statement and its parameters.
            String cause = e.getMostSpecificCause().getClass().getName();
            log.error("Exchange {} failed: database unavailable: {}", event.exchangeId(), cause);
            return failure(
                    event,
                    new ExchangeError(
                            OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                            "Ferry cannot serve this request right now; retry later",
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "database: " + cause));
        } catch (AuditUnavailable e) {
            log.error(
                    "Exchange {} refused: the audit log cannot keep up ({} events waiting)",
                    event.exchangeId(),
                    e.backlog());
            return respond(
                    event.exchangeId(),
                    new ExchangeError(
                            OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                                    "Ferry cannot serve this request right now; retry later",
                            HttpStatus.SERVICE_UNAVAILABLE, "audit backlog full"));
        } catch (RuntimeException e) {
            // Never the exception's message: it may quote the request, subject token included.
            StackTraceElement where = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            log.error(
                    "Exchange {} failed unexpectedly: {} at {}",
                    event.exchangeId(),
                    e.getClass().getName(),
                    where);
            return failure(
                    event,
                    new ExchangeError(
                            OAuth2ErrorCodes.SERVER_ERROR,
                            "Ferry failed to process this request",
                            HttpStatus.INTERNAL_SERVER_ERROR,
                            e.getClass().getName() + " at " + where));
        }
    }

    private ResponseEntity<TokenResponse> success(TokenExchangeRequest request, IssuedToken token, String exchangeId) {
        TokenResponse body = new TokenResponse(
                token.accessToken(),
                request.requestedTokenType(),
                "Bearer",
                Duration.between(token.issuedAt(), token.expiresAt()).toSeconds(),
                token.scope());
        return ResponseEntity.ok().header(EXCHANGE_ID_HEADER, exchangeId).body(body);
    }

    private ResponseEntity<TokenResponse.Error> failure(ExchangeEvent.Builder event, ExchangeError e) {
        log.info("Exchange {} refused: {}: {}", event.exchangeId(), e.error().getErrorCode(), e.detail());
        try {
            service.refused(event, e);
        } catch (AuditUnavailable full) {
            log.error("Exchange {}: refusal not audited, the audit log cannot keep up", event.exchangeId());
        }
        return respond(event.exchangeId(), e);
    }

    private static ResponseEntity<TokenResponse.Error> respond(String exchangeId, ExchangeError e) {
        TokenResponse.Error body =
                new TokenResponse.Error(e.error().getErrorCode(), e.error().getDescription(), exchangeId);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        } else if (e.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return response.body(body);
    }
}
