package dev.ferry.exchange;

import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * An exchange refused with an RFC 6749 §5.2 error. The description is what the caller sees; the
 * detail is the full story, for the audit log only.
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
        super(description, null, false, false);
        this.error = new OAuth2Error(code, description, null);
        this.status = status;
        this.detail = detail;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds the caller should wait before retrying, for 429 and 503 answers; else null. */
    Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ExchangeError badRequest(String code, String description) {
        return new ExchangeError(code, description, HttpStatus.BAD_REQUEST, description);
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
