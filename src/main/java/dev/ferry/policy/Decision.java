package dev.ferry.policy;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@link PolicyEvaluator}, with its reasons: every rule evaluated, and for each
 * condition what it expected, what the token had and whether it held.
 */
public sealed interface Decision {

    /** RFC 8693 §2.2.2: the requested target is not one the caller may have. */
    String INVALID_TARGET = "invalid_target";

    /**
     * RFC 9449 §5.1, for a rule that requires a DPoP proof of a request that carried none (docs/rules.md,
     * requireDpop): the proof is what is missing, as Keycloak answers a client that must use DPoP.
     */
    String INVALID_DPOP_PROOF = "invalid_dpop_proof";

    /** Names of the rules whose conditions all held. */
    List<String> matchedRules();

    /** Every rule evaluated, in evaluation order. */
    List<RuleResult> trace();

    /** What the audit log keeps of the trace: bounded whatever the number of rules. */
    default DecisionSummary summary() {
        return DecisionSummary.of(trace());
    }

    /**
     * @param scopes the scopes to issue: those requested, or all granted when none were requested
     * @param grantedScopes every scope the matching rules grant for the target
     * @param lifetime the issued token's lifetime
     */
    record Granted(
            List<String> scopes,
            List<String> grantedScopes,
            Duration lifetime,
            List<String> matchedRules,
            List<RuleResult> trace)
            implements Decision {}

    /**
     * @param error the OAuth error code {@code /token} answers with
     * @param description what the caller can be told: never a rule's contents
     * @param detail the full reason, for operators (the audit log): it may name rules
     */
    record Refused(String error, String description, List<String> matchedRules, List<RuleResult> trace, String detail)
            implements Decision {

        /** A refusal whose description says all there is to say. */
        public Refused(String error, String description, List<String> matchedRules, List<RuleResult> trace) {
            this(error, description, matchedRules, trace, description);
        }
    }
}
