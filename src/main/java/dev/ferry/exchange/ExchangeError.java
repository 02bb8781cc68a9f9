package dev.ferry.exchange;

import dev.ferry.audit.AuditUnavailable;
import dev.ferry.dpop.DpopProofRejected;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.policy.Decision;
import dev.ferry.web.CallerText;
import dev.ferry.web.OAuthErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedRuntimeException;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.transaction.TransactionException;

/**
 * An exchange refused with an RFC 6749 §5.2 error. The description is what the caller sees; the
 * detail is the full story, for the audit log and the server log only. Both may quote the caller
 * ({@link CallerText#shown}); as a last guard the description is kept to the characters RFC 6749
 * allows, and the detail to one line.
 */
final class ExchangeError extends RuntimeException {

    /** When a 503 caller may try again: long enough for an issuer's JWKS fetch to be retried. */
    private static final long RETRY_AFTER_SECONDS = 30;

    private static final String RETRY_LATER = "Ferry cannot serve this request right now; retry later";

    private static final Logger log = LoggerFactory.getLogger(ExchangeError.class);

    private final OAuth2Error error;
    private final HttpStatus status;
    private final String detail;
    private final Long retryAfterSeconds;

    ExchangeError(String code, String description, HttpStatus status, String detail) {
        this(code, description, status, detail, status == HttpStatus.SERVICE_UNAVAILABLE ? RETRY_AFTER_SECONDS : null);
    }

    ExchangeError(String code, String description, HttpStatus status, String detail, Long retryAfterSeconds) {
        super(CallerText.describable(description), null, false, false);
        this.error = new OAuth2Error(code, getMessage(), null);
        this.status = status;
        this.detail = CallerText.loggable(detail);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ExchangeError badRequest(String code, String description) {
        return new ExchangeError(code, description, HttpStatus.BAD_REQUEST, description);
    }

    /** The answer to an exchange the policy refused: its description for the caller, its detail for the audit log. */
    static ExchangeError refused(Decision.Refused refused) {
        return new ExchangeError(refused.error(), refused.description(), HttpStatus.BAD_REQUEST, refused.detail());
    }

    /** The answer to a refused subject token: 503 when its issuer's keys cannot be had, else 400. */
    static ExchangeError rejected(SubjectTokenRejected e) {
        if (e.reason() == SubjectTokenRejected.Reason.KEYS_UNAVAILABLE) {
            return new ExchangeError(
                    OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                    e.getMessage(),
                    HttpStatus.SERVICE_UNAVAILABLE,
                    e.detail());
        }
        return new ExchangeError(
                OAuth2ErrorCodes.INVALID_REQUEST,
                e.getMessage(),
                HttpStatus.BAD_REQUEST,
                e.reason() + ": " + e.detail());
    }

    /**
     * The answer to a refused DPoP proof: {@code invalid_dpop_proof} (RFC 9449 §5.1), or {@code
     * use_dpop_nonce} when it lacks the nonce Ferry requires (§8); the controller adds the fresh nonce.
     */
    static ExchangeError dpopRejected(DpopProofRejected e) {
        return new ExchangeError(e.errorCode(), e.getMessage(), HttpStatus.BAD_REQUEST, e.reason() + ": " + e.detail());
    }

    /** The answer when the issued token's audit event could not be stored: the token never leaves Ferry. */
    static ExchangeError auditUnavailable(AuditUnavailable e) {
        return new ExchangeError(
                OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                RETRY_LATER,
                HttpStatus.SERVICE_UNAVAILABLE,
                "audit log unavailable: " + e.getMessage());
    }

    /**
     * What an exchange that failed with {@code failure} answers: its own error, or a 503 for a database
     * the exchange needed and could not reach, or a 500 for anything else, logged (the class and
     * where it was thrown only: a message may quote the request, the subject token included).
     */
    static ExchangeError from(RuntimeException failure, String exchangeId) {
        if (failure instanceof ExchangeError error) {
            return error;
        }
        if (failure instanceof AuditUnavailable full) {
            return auditUnavailable(full);
        }
        if (failure instanceof DataAccessException || failure instanceof TransactionException) {
            // A transaction that cannot begin or commit (the jtis used up together) is the database's too.
            String cause = ((NestedRuntimeException) failure)
                    .getMostSpecificCause()
                    .getClass()
                    .getName();
            log.error("Exchange {} failed: database unavailable: {}", exchangeId, cause);
            return new ExchangeError(
                    OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                    RETRY_LATER,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "database: " + cause);
        }
        StackTraceElement where = failure.getStackTrace().length > 0 ? failure.getStackTrace()[0] : null;
        log.error(
                "Exchange {} failed unexpectedly: {} at {}",
                exchangeId,
                failure.getClass().getName(),
                where);
        return new ExchangeError(
                OAuth2ErrorCodes.SERVER_ERROR,
                "Ferry failed to process this request",
                HttpStatus.INTERNAL_SERVER_ERROR,
                failure.getClass().getName() + " at " + where);
    }

    /** This error as {@code /token} answers it (RFC 6749 §5.2), with {@code Retry-After} for 429 and 503. */
    ResponseEntity<byte[]> response(String exchangeId) {
        return response(exchangeId, new HttpHeaders());
    }

    /** As {@link #response(String)}, with {@code headers} (a {@code DPoP-Nonce}) besides. */
    ResponseEntity<byte[]> response(String exchangeId, HttpHeaders headers) {
        if (retryAfterSeconds != null) {
            headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
        }
        return OAuthErrors.response(status, headers, error.getErrorCode(), error.getDescription(), exchangeId);
    }

    OAuth2Error error() {
        return error;
    }

    HttpStatus status() {
        return status;
    }

    String detail() {
        return detail;
    }
}
