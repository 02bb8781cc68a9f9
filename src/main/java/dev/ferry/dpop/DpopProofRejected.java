package dev.ferry.dpop;

/**
 * The DPoP proof was refused (RFC 9449 §4.3). {@link #getMessage()} is safe to show the caller and says
 * what to fix; {@link #detail()} is the full cause, for the audit log and the server log. A proof is the
 * caller's own text, signed by the caller's own key: nothing about Ferry's configuration hides in the
 * answer but what the metadata publishes anyway (the accepted algorithms, the token endpoint's URL).
 */
public final class DpopProofRejected extends Exception {

    /** RFC 9449 §5 and §7.1: the proof is invalid. */
    public static final String INVALID_DPOP_PROOF = "invalid_dpop_proof";

    /** RFC 9449 §8: the proof lacks the nonce Ferry requires, or its nonce is stale. */
    public static final String USE_DPOP_NONCE = "use_dpop_nonce";

    /** Why a proof was refused; one value per named check of {@link DpopProofVerifier}. */
    public enum Reason {
        HEADER_COUNT,
        MALFORMED,
        WRONG_TYPE,
        ALGORITHM_NOT_ALLOWED,
        CRITICAL_HEADER,
        UNSUITABLE_KEY,
        BAD_SIGNATURE,
        WRONG_METHOD,
        WRONG_URI,
        TOO_OLD,
        ISSUED_IN_FUTURE,
        MISSING_CLAIM,
        NONCE,
        REPLAYED
    }

    private final Reason reason;
    private final String detail;

    DpopProofRejected(Reason reason, String description) {
        this(reason, description, description);
    }

    DpopProofRejected(Reason reason, String description, String detail) {
        super(description, null, false, false);
        this.reason = reason;
        this.detail = detail;
    }

    public Reason reason() {
        return reason;
    }

    /** The full cause, for operators only. */
    public String detail() {
        return detail;
    }

    /** The OAuth error code of this refusal: {@value #USE_DPOP_NONCE} for a nonce, else {@value #INVALID_DPOP_PROOF}. */
    public String errorCode() {
        return reason == Reason.NONCE ? USE_DPOP_NONCE : INVALID_DPOP_PROOF;
    }
}
