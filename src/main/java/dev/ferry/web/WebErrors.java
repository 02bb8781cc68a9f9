package dev.ferry.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Errors Spring MVC meets that no controller's own advice answers: those raised before a controller
 * was chosen (a method or media type an endpoint does not take), a form Tomcat cannot read, a part of
 * the request the firewall refuses, a failure nobody expected. The OAuth endpoints get RFC 6749 JSON
 * ({@link OAuthErrors}), everything else RFC 9457 problem details, never a Java class name or a stack
 * trace. A database outage, however wrapped, passes on to {@link DatabaseUnavailableFilter}, which
 * answers it the same way wherever it strikes.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class WebErrors extends ResponseEntityExceptionHandler {

    public static final URI MALFORMED_BODY = URI.create("urn:ferry:problem:malformed-body");
    public static final URI MALFORMED_REQUEST = URI.create("urn:ferry:problem:malformed-request");
    static final URI INTERNAL = URI.create("urn:ferry:problem:internal");

    private static final Logger log = LoggerFactory.getLogger(WebErrors.class);

    /** An RFC 9457 problem with Ferry's {@code type} and title. */
    public static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }

    /**
     * Tomcat could not read a form body ({@code /introspect}, {@code /revoke}): larger than
     * {@code server.tomcat.max-http-form-post-size} (413), or malformed (400).
     */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<?> unreadableForm(InvalidParameterException e, HttpServletRequest request) {
        HttpStatus status = e.getErrorCode() == HttpStatus.CONTENT_TOO_LARGE.value()
                ? HttpStatus.CONTENT_TOO_LARGE
                : HttpStatus.BAD_REQUEST;
        String description =
                status == HttpStatus.CONTENT_TOO_LARGE ? "the form body is too large" : "the form body is malformed";
        return inEndpointFormat(request, status, MALFORMED_BODY, "Malformed body", description);
    }

    /**
     * Spring Security's firewall refused a part of the request read inside a controller (a parameter
     * name with a line break, say). Not its message: that quotes the part.
     */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<?> rejected(RequestRejectedException e, HttpServletRequest request) {
        return inEndpointFormat(
                request,
                HttpStatus.BAD_REQUEST,
                MALFORMED_REQUEST,
                "Malformed request",
                "the request holds characters Ferry refuses (control characters in a parameter name, say)");
    }

    /** Anything else: a 500 that says nothing of the failure; a database outage is passed on. */
    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<?> unexpected(RuntimeException e, HttpServletRequest request) {
        if (DatabaseUnavailableFilter.outage(e) != null) {
            throw e;
        }
        if (OAuthErrors.isFor(request)) {
            // Never the exception itself: its message may quote the request, a token included.
            log.error(
                    "Request for {} failed before it was served: {}",
                    request.getRequestURI(),
                    e.getClass().getName());
            return OAuthErrors.refused(HttpStatus.INTERNAL_SERVER_ERROR, new HttpHeaders(), null);
        }
        log.error("Request for {} failed unexpectedly", request.getRequestURI(), e);
        return ResponseEntity.internalServerError()
                .body(problem(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        INTERNAL,
                        "Internal error",
                        "the request failed; see the server log"));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (request instanceof ServletWebRequest servlet && OAuthErrors.isFor(servlet.getRequest())) {
            ResponseEntity<byte[]> answer = OAuthErrors.refused(status, headers, null);
            return new ResponseEntity<>(answer.getBody(), answer.getHeaders(), answer.getStatusCode());
        }
        return super.handleExceptionInternal(e, body, headers, status, request);
    }

    /** RFC 6749 JSON for an OAuth endpoint, these problem details for any other. */
    private static ResponseEntity<?> inEndpointFormat(
            HttpServletRequest request, HttpStatus status, URI type, String title, String detail) {
        return OAuthErrors.isFor(request)
                ? OAuthErrors.refused(status, new HttpHeaders(), detail)
                : ResponseEntity.status(status).body(problem(status, type, title, detail));
    }
}
