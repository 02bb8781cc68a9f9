package dev.ferry.exchange;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;

/**
 * Errors of the OAuth endpoints ({@code /token}, {@code /introspect}, {@code /revoke}) that arise
 * before their controllers run (a GET: 405; a form Tomcat cannot read: 413 or 400; a URL the firewall
 * refuses), in those endpoints' own format, RFC 6749 §5.2 JSON, rather than the admin API's problem
 * details. Nothing reached Ferry's exchange, so nothing is audited and there is no exchange id.
 */
public final class OAuthEndpointErrors {

    static final String TOKEN_PATH = "/token";

    private static final Set<String> PATHS = Set.of(TOKEN_PATH, "/introspect", "/revoke");

    private OAuthEndpointErrors() {}

    /**
     * Whether {@code request} is for one of the OAuth endpoints (path parameters after {@code ;} aside);
     * for an error dispatch, whether the request that failed was.
     */
    public static boolean isFor(HttpServletRequest request) {
        Object failed = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String uri = failed instanceof String original
                ? original
                : request.getRequestURI() == null ? "" : request.getRequestURI();
        String context = request.getContextPath() == null ? "" : request.getContextPath();
        String path = uri.startsWith(context) ? uri.substring(context.length()) : uri;
        int parameters = path.indexOf(';');
        return PATHS.contains(parameters < 0 ? path : path.substring(0, parameters));
    }

    /** The RFC 6749 error code of an answer with {@code status}. */
    public static String errorCode(int status) {
        // 401: an introspection client that failed to authenticate (RFC 6749 §5.2, RFC 7662 §2.3).
        // 501 and 505 (a transfer coding or HTTP version Tomcat does not take) are the client's doing.
        return status == HttpStatus.UNAUTHORIZED.value()
                ? OAuth2ErrorCodes.INVALID_CLIENT
                : status == HttpStatus.SERVICE_UNAVAILABLE.value() || status == HttpStatus.TOO_MANY_REQUESTS.value()
                        ? OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE
                        : status == HttpStatus.NOT_IMPLEMENTED.value()
                                        || status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED.value()
                                ? OAuth2ErrorCodes.INVALID_REQUEST
                                : status >= 500 ? OAuth2ErrorCodes.SERVER_ERROR : OAuth2ErrorCodes.INVALID_REQUEST;
    }

    /** What a caller of an OAuth endpoint refused with {@code status}, and no more specific reason, should know. */
    public static String description(int status) {
        return status == HttpStatus.METHOD_NOT_ALLOWED.value()
                ? "use POST with an application/x-www-form-urlencoded body"
                : status == HttpStatus.UNAUTHORIZED.value()
                        ? "client authentication failed"
                        : status == HttpStatus.BAD_REQUEST.value()
                                ? "the request is malformed"
                                : errorCode(status).equals(OAuth2ErrorCodes.SERVER_ERROR)
                                        ? "Ferry failed to process this request"
                                        : "the request cannot be served";
    }

    /**
     * The answer to a request for an OAuth endpoint refused with {@code status} before it was
     * dispatched; {@code headers} (an {@code Allow} with a 405, say) are kept.
     *
     * @param description what to fix, or null for the usual one of {@code status}
     */
    public static ResponseEntity<Object> refused(HttpStatusCode status, HttpHeaders headers, String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", errorCode(status.value()));
        body.put("error_description", description != null ? description : description(status.value()));
        return ResponseEntity.status(status)
                .headers(headers)
                .cacheControl(CacheControl.noStore())
                .header(HttpHeaders.PRAGMA, "no-cache")
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }
}
