package dev.ferry.exchange;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;

/**
 * Errors of {@code /token} that Spring MVC raises before {@link TokenExchangeController} runs (a GET:
 * 405), in the endpoint's own format, RFC 6749 §5.2 JSON, rather than the admin API's problem details.
 * Nothing reached Ferry's exchange, so nothing is audited and there is no exchange id.
 */
public final class TokenEndpointErrors {

    static final String PATH = "/token";

    private TokenEndpointErrors() {}

    /** Whether {@code request} is for {@code /token}. */
    public static boolean isFor(HttpServletRequest request) {
        return PATH.equals(request.getRequestURI().substring(request.getContextPath().length()));
    }

    /**
     * The answer to a request for {@code /token} refused with {@code status} before it was dispatched;
     * {@code headers} (an {@code Allow} with a 405, say) are kept.
     */
    public static ResponseEntity<Object> refused(HttpStatusCode status, HttpHeaders headers) {
        String error = status.is5xxServerError() ? OAuth2ErrorCodes.SERVER_ERROR : OAuth2ErrorCodes.INVALID_REQUEST;
        String description = status.value() == HttpStatus.METHOD_NOT_ALLOWED.value()
                ? "use POST with an application/x-www-form-urlencoded body"
                : status.is5xxServerError() ? "Ferry failed to process this request" : "the request cannot be served";
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return ResponseEntity.status(status)
                .headers(headers)
                .cacheControl(CacheControl.noStore())
                .header(HttpHeaders.PRAGMA, "no-cache")
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }
}
