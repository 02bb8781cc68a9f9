package dev.ferry.federation;

import java.util.EnumSet;
import java.util.Set;

/**
 * The subject token was refused. {@link #getMessage()} is safe to show the caller and says what to
 * fix; {@link #detail()} is the full cause, for the audit log, the server log and operators' dry runs.
 *
 * <p>Until its signature is verified, a token is anybody's text: what Ferry answers to it must not
 * tell which issuers are configured, which are disabled, which algorithms or keys they use. Every
 * refusal between reading {@code iss} and a good signature therefore shows the caller one and the
 * same description ({@link #UNTRUSTED}); its precise reason stays in {@link #detail()}, found by the
 * exchange id. Refusals before that point depend on the token alone, refusals after it on a token the
 * issuer really signed: both keep their precise description.
 */
public final class SubjectTokenRejected extends Exception {

    /** What a caller is told of every refusal that would otherwise reveal Ferry's configuration. */
    public static final String UNTRUSTED = "the token's issuer is not trusted or its signature could not be verified";

    /** What a caller is told when a trusted issuer's keys cannot be had: retry, without naming the issuer. */
    public static final String KEYS_UNAVAILABLE_DESCRIPTION =
            "the keys that verify this token cannot be fetched right now; retry later";

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

    /** The reasons decided between reading {@code iss} and verifying the signature. */
    private static final Set<Reason> BEFORE_SIGNATURE = EnumSet.of(
            Reason.UNKNOWN_ISSUER,
            Reason.DISABLED_ISSUER,
            Reason.ALGORITHM_NOT_ALLOWED,
            Reason.UNKNOWN_KEY,
            Reason.UNSUITABLE_KEY,
            Reason.BAD_SIGNATURE);

    private final Reason reason;
    private final String issuerName;
    private final String detail;

    /**
     * @param description what the caller may be told, precisely; replaced by {@link #UNTRUSTED} (or
     *     {@link #KEYS_UNAVAILABLE_DESCRIPTION}) for refusals before the signature, and then kept in the detail
     * @param detail the full cause, or null when the description says it all
     */
    SubjectTokenRejected(Reason reason, String issuerName, String description, String detail) {
        super(shown(reason, description), null, false, false);
        this.reason = reason;
        this.issuerName = issuerName;
        this.detail = detail == null || detail.equals(description) ? description : description + " (" + detail + ")";
    }

    SubjectTokenRejected(Reason reason, String description) {
        this(reason, null, description, null);
    }

    /** {@code original}, attributed to the issuer named {@code issuerName}. */
    private SubjectTokenRejected(SubjectTokenRejected original, String issuerName) {
        super(original.getMessage(), null, false, false);
        this.reason = original.reason;
        this.issuerName = issuerName;
        this.detail = original.detail;
    }

    private static String shown(Reason reason, String description) {
        return reason == Reason.KEYS_UNAVAILABLE
                ? KEYS_UNAVAILABLE_DESCRIPTION
                : BEFORE_SIGNATURE.contains(reason) ? UNTRUSTED : description;
    }

    public Reason reason() {
        return reason;
    }

    /** The configured issuer the token claimed to come from, when it was found; else null. */
    public String issuerName() {
        return issuerName;
    }

    /** The full cause: for the audit log, the server log and operators, never for the caller of {@code /token}. */
    public String detail() {
        return detail;
    }

    SubjectTokenRejected forIssuer(String name) {
        return new SubjectTokenRejected(this, name);
    }
}
