package dev.ferry.exchange;

import dev.ferry.federation.CallerText;
import dev.ferry.federation.SubjectTokenRejected;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;

/**
 * An exchange refused with an RFC 6749 §5.2 error. The description is what the caller sees; the
 * detail is the full story, for the audit log and the server log only. Both may quote the caller
 * ({@link CallerText#shown}); as a last guard the description is kept to the characters RFC 6749
 * allows, and the detail to one line.
 */
final class ExchangeError extends RuntimeException {

    private final OAuth2Error error;
    private final HttpStatus status;
    private final String detail;
    private final Long retryAfterSeconds;

    ExchangeError(String code, String description, HttpStatus status, String detail) {
        this(code, description, status, detail, null);
    }

    ExchangeError(String code, String description, HttpStatus status, String detail, Long retryAfterSeconds) {
        super(CallerText.describable(description), null, false, false);
        this.error = new OAuth2Error(code, getMessage(), null);
        this.status = status;
        this.detail = CallerText.loggable(detail);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds the caller should wait before retrying, for 429 and 503 answers; else null. */
    Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ExchangeError badRequest(String code, String description) {
        return new ExchangeError(code, description, HttpStatus.BAD_REQUEST, description);
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
