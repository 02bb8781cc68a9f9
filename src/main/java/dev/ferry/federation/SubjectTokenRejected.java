package dev.ferry.federation;

/**
 * The subject token was refused. {@link #getMessage()} is safe to show the caller and says what to
 * fix; {@link #detail()} is the full cause, for the audit log and the server log only.
 */
public final class SubjectTokenRejected extends Exception {

    /** Why a subject token was refused; one value per named check of {@link SubjectTokenVerifier}. */
    public enum Reason {
        TOO_LARGE,
        MALFORMED,
        UNSECURED,
        ENCRYPTED,
        UNKNOWN_ISSUER,
        DISABLED_ISSUER,
        ALGORITHM_NOT_ALLOWED,
        CRITICAL_HEADER,
        UNKNOWN_KEY,
        UNSUITABLE_KEY,
        KEYS_UNAVAILABLE,
        BAD_SIGNATURE,
        EXPIRED,
        NOT_YET_VALID,
        ISSUED_IN_FUTURE,
        TOO_OLD,
        INVALID_CLAIM,
        WRONG_AUDIENCE,
        REPLAYED
    }

    private final Reason reason;
    private final String issuerName;
    private final String detail;

    SubjectTokenRejected(Reason reason, String issuerName, String description, String detail) {
        super(description, null, false, false);
        this.reason = reason;
        this.issuerName = issuerName;
        this.detail = detail;
    }

    SubjectTokenRejected(Reason reason, String description) {
        this(reason, null, description, description);
    }

    public Reason reason() {
        return reason;
    }

    /** The configured issuer the token claimed to come from, when it was found; else null. */
    public String issuerName() {
        return issuerName;
    }

    public String detail() {
        return detail;
    }

    SubjectTokenRejected forIssuer(String name) {
        return new SubjectTokenRejected(reason, name, getMessage(), detail);
    }
}
