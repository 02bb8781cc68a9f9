package dev.ferry.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Error answers written by filters, before Spring MVC (and its exception handlers) is reached, in the
 * format of the endpoint asked for: RFC 6749 §5.2 JSON for the OAuth endpoints ({@code /token},
 * {@code /introspect}, {@code /revoke}), RFC 9457 problem details for everything else.
 */
final class ErrorResponses {

    private static final Set<String> OAUTH_ENDPOINTS = Set.of("/token", "/introspect", "/revoke");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorResponses() {}

    /**
     * Replaces whatever {@code response} held with the error.
     *
     * @param oauthError the RFC 6749 error code, for the OAuth endpoints
     * @param problemType the problem {@code type} URI, for the others
     * @param retryAfterSeconds the {@code Retry-After}, or null
     */
    static void write(HttpServletRequest request, HttpServletResponse response, int status, String oauthError, String problemType,
            String title, String detail, String retryAfterSeconds) throws IOException {
        response.reset();
        response.setStatus(status);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (retryAfterSeconds != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.indexOf(';') >= 0) {
            path = path.substring(0, path.indexOf(';'));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (OAUTH_ENDPOINTS.contains(path)) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            body.put("error", oauthError);
            body.put("error_description", detail);
        } else {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            body.put("type", problemType);
            body.put("title", title);
            body.put("status", status);
            body.put("detail", detail);
        }
        JSON.writeValue(response.getOutputStream(), body);
    }
}
