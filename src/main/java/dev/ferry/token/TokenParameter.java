package dev.ferry.token;

import dev.ferry.web.OAuthErrors;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The {@code token} parameter of {@code /introspect}: required (RFC 7662 §2.1), and in the form body
 * only, since a token in the URL ends up in access logs. A request without it, or with it in the
 * query string, is refused with RFC 6749 §5.2 {@code invalid_request}. ({@code /revoke} answers 200
 * whatever it is sent: RFC 7009 §2.2.)
 */
final class TokenParameter {

    private TokenParameter() {}

    /** The refusal of {@code request}, whose form gave {@code token}; or null when it is well formed. */
    static ResponseEntity<byte[]> refusal(HttpServletRequest request, String token) {
        if (inQueryString(request.getQueryString())) {
            return refused("send the token in the form body, not in the query string");
        }
        if (token == null || token.isEmpty()) {
            return refused("the token parameter is required");
        }
        return null;
    }

    private static boolean inQueryString(String query) {
        return query != null
                && UriComponentsBuilder.newInstance()
                        .query(query)
                        .build()
                        .getQueryParams()
                        .containsKey("token");
    }

    private static ResponseEntity<byte[]> refused(String description) {
        return OAuthErrors.response(
                HttpStatus.BAD_REQUEST, new HttpHeaders(), OAuth2ErrorCodes.INVALID_REQUEST, description, null);
    }
}
