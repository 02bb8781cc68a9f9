package dev.ferry.security;

import dev.ferry.exchange.OAuthEndpointErrors;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Error answers written by filters, outside Spring MVC (and its exception handlers), in the format of
 * the endpoint asked for: RFC 6749 §5.2 JSON for the OAuth endpoints ({@link OAuthEndpointErrors#isFor}),
 * RFC 9457 problem details for everything else.
 */
final class ErrorResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorResponses() {}

    /**
     * The error answer for {@code status} alone, with no more specific reason (Tomcat's own refusals,
     * the error page): a 400 is a malformed request, anything else its reason phrase. A 405 from an
     * OAuth endpoint says {@code Allow: POST} (Tomcat's lists the servlet's methods, not the endpoint's).
     */
    static void writeStatus(HttpServletRequest request, HttpServletResponse response, int status) throws IOException {
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known != null ? known.getReasonPhrase() : "Error";
        boolean oauth = OAuthEndpointErrors.isFor(request);
        if (oauth && status == HttpStatus.METHOD_NOT_ALLOWED.value() && !response.isCommitted()) {
            response.setHeader(HttpHeaders.ALLOW, "POST");
        }
        boolean malformed = status == HttpStatus.BAD_REQUEST.value();
        write(
                request,
                response,
                status,
                malformed ? "urn:ferry:problem:malformed-request" : "about:blank",
                malformed ? "Malformed request" : reason,
                oauth ? OAuthEndpointErrors.description(status) : malformed ? "the request is malformed" : reason,
                null);
    }

    /**
     * Replaces the body {@code response} held with the error, keeping the headers already set (the
     * security headers among them); does nothing to a response already committed.
     *
     * @param problemType the problem {@code type} URI, for the endpoints that answer problem details
     * @param retryAfterSeconds the {@code Retry-After}, or null
     */
    static void write(
            HttpServletRequest request,
            HttpServletResponse response,
            int status,
            String problemType,
            String title,
            String detail,
            String retryAfterSeconds)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (retryAfterSeconds != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (OAuthEndpointErrors.isFor(request)) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            body.put("error", OAuthEndpointErrors.errorCode(status));
            body.put("error_description", detail);
        } else {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            body.put("type", problemType);
            body.put("title", title);
            body.put("status", status);
            body.put("detail", detail);
        }
        byte[] json = JSON.writeValueAsBytes(body);
        try {
            response.getOutputStream().write(json);
        } catch (IllegalStateException writerInUse) {
            response.getWriter().write(new String(json, StandardCharsets.UTF_8));
        }
    }
}
