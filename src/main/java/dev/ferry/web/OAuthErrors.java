package dev.ferry.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * The one writer of RFC 6749 §5.2 error answers, for the OAuth endpoints ({@code /token},
 * {@code /introspect}, {@code /revoke}): {@code {"error", "error_description"}} (and, from
 * {@code /token}, {@code "exchange_id"}) as JSON, never cached ({@code Cache-Control: no-store},
 * {@code Pragma: no-cache}, RFC 6749 §5.1), with a fixed {@code Content-Length}. Controllers answer
 * through {@link #response}, filters and the error page through {@link #write}.
 */
public final class OAuthErrors {

    /** The token endpoint's path (RFC 8693 §2.1). */
    public static final String TOKEN_PATH = "/token";

    private static final Set<String> PATHS = Set.of(TOKEN_PATH, "/introspect", "/revoke");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OAuthErrors() {}

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

    /** The RFC 6749 error code of an answer with {@code status}, for refusals without a code of their own. */
    public static String errorCode(int status) {
        // 401: an introspection client that failed to authenticate (RFC 6749 §5.2, RFC 7662 §2.3).
        // 429 and 503: retry later, as /token's limits and outages say.
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
     * The error answer, for a controller: {@code headers} (a {@code Retry-After}, an {@code Allow}) are
     * kept.
     *
     * @param exchangeId the id that finds the refusal in the audit log, or null when nothing was audited
     */
    public static ResponseEntity<byte[]> response(
            HttpStatusCode status, HttpHeaders headers, String error, String description, String exchangeId) {
        byte[] body = body(error, description, exchangeId);
        return ResponseEntity.status(status)
                .headers(headers)
                .cacheControl(CacheControl.noStore())
                .header(HttpHeaders.PRAGMA, "no-cache")
                .contentType(MediaType.APPLICATION_JSON)
                .contentLength(body.length)
                .body(body);
    }

    /**
     * The answer to a request for an OAuth endpoint refused with {@code status} before it reached Ferry's
     * code (nothing audited, no exchange id).
     *
     * @param description what to fix, or null for the usual one of {@code status}
     */
    public static ResponseEntity<byte[]> refused(HttpStatusCode status, HttpHeaders headers, String description) {
        return response(
                status,
                headers,
                errorCode(status.value()),
                description != null ? description : description(status.value()),
                null);
    }

    /**
     * Writes the error answer into {@code response}, for filters and the error page: replaces a body it
     * held, keeps its headers (the security headers among them).
     *
     * @param retryAfterSeconds the {@code Retry-After}, or null
     */
    public static void write(
            HttpServletResponse response, int status, String error, String description, String retryAfterSeconds)
            throws IOException {
        byte[] body = body(error, description, null);
        response.resetBuffer();
        response.setStatus(status);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader(HttpHeaders.PRAGMA, "no-cache");
        if (retryAfterSeconds != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.length);
        ErrorResponses.writeBody(response, body);
    }

    private static byte[] body(String error, String description, String exchangeId) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", CallerText.describable(description));
        if (exchangeId != null) {
            body.put("exchange_id", exchangeId);
        }
        return JSON.writeValueAsBytes(body);
    }
}
