package dev.ferry.admin;

import dev.ferry.core.DefinitionException;
import dev.ferry.impact.ImpactBusy;
import dev.ferry.web.WebErrors;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * RFC 9457 problem details for the admin API's controllers: a stable {@code type} URI per kind, and
 * the {@code field} at fault where there is one. Never a Java class name or a stack trace. Errors it
 * has no handler for (a firewall refusal inside a controller, a failure nobody expected, a database
 * outage) and errors raised before any controller was chosen are answered by {@link WebErrors}.
 */
@RestControllerAdvice(basePackageClasses = AdminProblems.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class AdminProblems extends ResponseEntityExceptionHandler {

    static final URI INVALID_FIELD = URI.create("urn:ferry:problem:invalid-field");
    static final URI NOT_FOUND = URI.create("urn:ferry:problem:not-found");
    static final URI CONFLICT = URI.create("urn:ferry:problem:conflict");
    static final URI PRECONDITION_FAILED = URI.create("urn:ferry:problem:precondition-failed");
    static final URI IMPACT_BUSY = URI.create("urn:ferry:problem:impact-busy");
    static final URI REFUSED_BY_LINTER = URI.create("urn:ferry:problem:refused-by-linter");

    private static final Logger log = LoggerFactory.getLogger(AdminProblems.class);

    @ExceptionHandler(DefinitionException.Invalid.class)
    ProblemDetail invalid(DefinitionException.Invalid e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, INVALID_FIELD, "Invalid field", e.getMessage());
        problem.setProperty("field", e.field());
        return problem;
    }

    /**
     * {@code ferry.lint.refuse}: every linter warning of the rule (code, message, suggested fix), and in
     * {@code refused} the codes that refuse it.
     */
    @ExceptionHandler(DefinitionException.Refused.class)
    ProblemDetail refused(DefinitionException.Refused e) {
        ProblemDetail problem =
                problem(HttpStatus.BAD_REQUEST, REFUSED_BY_LINTER, "Refused by the linter", e.getMessage());
        if (e.field() != null) {
            problem.setProperty("field", e.field());
        }
        problem.setProperty("warnings", e.warnings());
        problem.setProperty("refused", e.refused());
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

    /** One impact replay at a time per replica: retry shortly (or on another replica). */
    @ExceptionHandler(ImpactBusy.class)
    ResponseEntity<ProblemDetail> impactBusy(ImpactBusy e) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, "10")
                .body(problem(HttpStatus.TOO_MANY_REQUESTS, IMPACT_BUSY, "Impact replay busy", e.getMessage()));
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

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problem(
                HttpStatus.BAD_REQUEST,
                WebErrors.MALFORMED_BODY,
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
        return WebErrors.problem(status, type, title, detail);
    }
}
