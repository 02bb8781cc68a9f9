package dev.ferry.web;

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
 * Error answers written by filters and the error page, outside Spring MVC (and its exception
 * handlers), in the format of the endpoint asked for: RFC 6749 §5.2 JSON for the OAuth endpoints
 * ({@link OAuthErrors}), RFC 9457 problem details for everything else.
 */
public final class ErrorResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorResponses() {}

    /**
     * The error answer for {@code status} alone, with no more specific reason (Tomcat's own refusals,
     * the error page): a 400 is a malformed request, anything else its reason phrase. A 405 from an
     * OAuth endpoint says {@code Allow: POST} (Tomcat's lists the servlet's methods, not the endpoint's).
     */
    public static void writeStatus(HttpServletRequest request, HttpServletResponse response, int status)
            throws IOException {
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known != null ? known.getReasonPhrase() : "Error";
        boolean oauth = OAuthErrors.isFor(request);
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
                oauth ? OAuthErrors.description(status) : malformed ? "the request is malformed" : reason,
                null);
    }

    /**
     * Replaces the body {@code response} held with the error, keeping the headers already set (the
     * security headers among them); does nothing to a response already committed.
     *
     * @param problemType the problem {@code type} URI, for the endpoints that answer problem details
     * @param retryAfterSeconds the {@code Retry-After}, or null
     */
    public static void write(
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
        if (OAuthErrors.isFor(request)) {
            OAuthErrors.write(response, status, OAuthErrors.errorCode(status), detail, retryAfterSeconds);
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (retryAfterSeconds != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problemType);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        writeBody(response, JSON.writeValueAsBytes(body));
    }

    /** {@code body} into {@code response}, through its writer if the output stream is taken. */
    static void writeBody(HttpServletResponse response, byte[] body) throws IOException {
        try {
            response.getOutputStream().write(body);
        } catch (IllegalStateException writerInUse) {
            response.getWriter().write(new String(body, StandardCharsets.UTF_8));
        }
    }
}
