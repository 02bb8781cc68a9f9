package dev.ferry.admin;

import dev.ferry.definition.DefinitionException;
import dev.ferry.exchange.OAuthEndpointErrors;
import dev.ferry.security.DatabaseUnavailableFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.stream.Collectors;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * RFC 9457 problem details for every error outside {@code /token}: a stable {@code type} URI per
 * kind, and the {@code field} at fault where there is one. Never a Java class name or a stack trace.
 * The few errors Spring MVC raises for the OAuth endpoints ({@code /token}, {@code /introspect},
 * {@code /revoke}) before their controllers run are answered in their format instead ({@link OAuthEndpointErrors}).
 */
@RestControllerAdvice
class AdminProblems extends ResponseEntityExceptionHandler {

    static final URI INVALID_FIELD = URI.create("urn:ferry:problem:invalid-field");
    static final URI MALFORMED_BODY = URI.create("urn:ferry:problem:malformed-body");
    static final URI MALFORMED_REQUEST = URI.create("urn:ferry:problem:malformed-request");
    static final URI NOT_FOUND = URI.create("urn:ferry:problem:not-found");
    static final URI CONFLICT = URI.create("urn:ferry:problem:conflict");
    static final URI PRECONDITION_FAILED = URI.create("urn:ferry:problem:precondition-failed");
    static final URI INTERNAL = URI.create("urn:ferry:problem:internal");

    private static final Logger log = LoggerFactory.getLogger(AdminProblems.class);

    @ExceptionHandler(DefinitionException.Invalid.class)
    ProblemDetail invalid(DefinitionException.Invalid e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, INVALID_FIELD, "Invalid field", e.getMessage());
        problem.setProperty("field", e.field());
        return problem;
    }

    @ExceptionHandler(DefinitionException.NotFound.class)
    ProblemDetail notFound(DefinitionException.NotFound e) {
        return problem(HttpStatus.NOT_FOUND, NOT_FOUND, "Not found", e.getMessage());
    }

    @ExceptionHandler(DefinitionException.PreconditionFailed.class)
    ProblemDetail preconditionFailed(DefinitionException.PreconditionFailed e) {
        return problem(HttpStatus.PRECONDITION_FAILED, PRECONDITION_FAILED, "Precondition failed", e.getMessage());
    }

    @ExceptionHandler(DefinitionException.Conflict.class)
    ProblemDetail conflict(DefinitionException.Conflict e) {
        return problem(HttpStatus.CONFLICT, CONFLICT, "Conflict", e.getMessage());
    }

    /**
     * Another write won between this one's read and its own: with an {@code If-Match} naming a version
     * that is the precondition failing after all (412), without one a conflict (409).
     */
    @ExceptionHandler(ObjectOptimisticLockingFailureException.class)
    ProblemDetail concurrentWrite(ObjectOptimisticLockingFailureException e, HttpServletRequest request) {
        String ifMatch = request.getHeader(HttpHeaders.IF_MATCH);
        if (ifMatch != null && !ifMatch.isBlank() && !"*".equals(ifMatch.strip())) {
            return problem(
                    HttpStatus.PRECONDITION_FAILED,
                    PRECONDITION_FAILED,
                    "Precondition failed",
                    "the resource was changed concurrently, so If-Match no longer matches; read it again and retry");
        }
        return problem(
                HttpStatus.CONFLICT,
                CONFLICT,
                "Conflict",
                "the resource was changed concurrently; read it again and retry");
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ProblemDetail integrity(DataIntegrityViolationException e) {
        log.warn(
                "Admin write refused by the database: {}",
                e.getMostSpecificCause().getClass().getName());
        return problem(
                HttpStatus.CONFLICT,
                CONFLICT,
                "Conflict",
                "the change conflicts with what is stored; read the current state and retry");
    }

    /**
     * Tomcat could not read a form body ({@code /introspect}, {@code /revoke}): larger than
     * {@code server.tomcat.max-http-form-post-size} (413), or malformed (400).
     */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> unreadableForm(InvalidParameterException e, HttpServletRequest request) {
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
    ResponseEntity<Object> rejected(RequestRejectedException e, HttpServletRequest request) {
        return inEndpointFormat(
                request,
                HttpStatus.BAD_REQUEST,
                MALFORMED_REQUEST,
                "Malformed request",
                "the request holds characters Ferry refuses (control characters in a parameter name, say)");
    }

    /** RFC 6749 JSON for an OAuth endpoint, these problem details for any other. */
    private static ResponseEntity<Object> inEndpointFormat(
            HttpServletRequest request, HttpStatus status, URI type, String title, String detail) {
        return OAuthEndpointErrors.isFor(request)
                ? OAuthEndpointErrors.refused(status, new HttpHeaders(), detail)
                : ResponseEntity.status(status).body(problem(status, type, title, detail));
    }

    /**
     * Anything else. A database outage, however wrapped, is passed on as it is to the filter that
     * answers an outage the same way wherever it strikes (503 with Retry-After; {@link DatabaseUnavailableFilter}).
     */
    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Object> unexpected(RuntimeException e, HttpServletRequest request) {
        if (DatabaseUnavailableFilter.outage(e) != null) {
            throw e;
        }
        if (OAuthEndpointErrors.isFor(request)) {
            // Never the exception itself: its message may quote the request, a token included.
            log.error(
                    "Request for {} failed before it was served: {}",
                    request.getRequestURI(),
                    e.getClass().getName());
            return OAuthEndpointErrors.refused(HttpStatus.INTERNAL_SERVER_ERROR, new HttpHeaders(), null);
        }
        log.error("Admin request failed unexpectedly", e);
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
        if (request instanceof ServletWebRequest servlet && OAuthEndpointErrors.isFor(servlet.getRequest())) {
            return OAuthEndpointErrors.refused(status, headers, null);
        }
        return super.handleExceptionInternal(e, body, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problem(
                HttpStatus.BAD_REQUEST,
                MALFORMED_BODY,
                "Malformed body",
                "the body is not valid JSON for this resource");
        if (e.getCause() instanceof JacksonException jackson && !(jackson instanceof DatabindException)) {
            problem.setDetail(
                    "the body is not valid JSON for this resource: " + DefinitionFormats.reason(jackson, false));
        }
        DatabindException databind = databindCause(e);
        if (databind != null && !databind.getPath().isEmpty()) {
            String field = path(databind);
            problem.setProperty("field", field);
            problem.setDetail(
                    databind instanceof UnrecognizedPropertyException
                            ? "field '" + field + "' is not known"
                            : "field '" + field + "' has a value of the wrong type or form" + reason(databind));
        }
        return ResponseEntity.badRequest().body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = e.getPropertyName() != null ? e.getPropertyName() : "parameter";
        ProblemDetail problem = problem(
                HttpStatus.BAD_REQUEST,
                INVALID_FIELD,
                "Invalid field",
                "'" + field + "' has a value of the wrong type or form");
        problem.setProperty("field", field);
        return ResponseEntity.badRequest().body(problem);
    }

    private static DatabindException databindCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DatabindException databind) {
                return databind;
            }
        }
        return null;
    }

    private static String reason(DatabindException e) {
        Throwable cause = e.getCause();
        return cause instanceof IllegalArgumentException ? ": " + cause.getMessage() : "";
    }

    private static String path(JacksonException e) {
        return e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? "." + ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }

    private static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }
}
