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

    /** A caller-supplied value as it may be echoed back: quoted, and cut short if long. */
    static String shown(String value) {
        if (value == null) {
            return "(none)";
        }
        String cut = value.length() > 128 ? value.substring(0, 128) + "…" : value;
        StringBuilder safe = new StringBuilder("'");
        cut.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7F) {
                safe.append(String.format("\\u%04x", c));
            } else {
                safe.append((char) c);
            }
        });
        return safe.append('\'').toString();
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
