package dev.ferry.token;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;

/**
 * {@code /introspect} and {@code /revoke} take the token in the form body only (RFC 7662 §2.1, RFC
 * 7009 §2.1): a token in the URL ends up in access logs, so a request with a query string is refused
 * with RFC 6749 §5.2 {@code invalid_request}, to teach the client before it becomes a habit.
 */
final class QueryStringRefusal {

    private QueryStringRefusal() {}

    /** The refusal for {@code request}, or null when it has no query string. */
    static ResponseEntity<Object> of(HttpServletRequest request) {
        if (request.getQueryString() == null) {
            return null;
        }
        return ResponseEntity.badRequest()
                .cacheControl(CacheControl.noStore())
                .body(Map.of(
                        "error", OAuth2ErrorCodes.INVALID_REQUEST,
                        "error_description", "send the token in the form body, not in the query string"));
    }
}
