package dev.ferry.exchange;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.policy.Decision;
import dev.ferry.policy.RuleResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code /token} would answer, and why: the answer of {@code POST /admin/v1/evaluate}.
 *
 * @param decision {@code allow} or {@code deny}
 * @param error the OAuth error {@code /token} would give, with its HTTP status and description
 * @param scopes the scopes that would be issued; {@code grantedScopes} all that the matching rules grant
 * @param lifetimeSeconds the issued token's lifetime
 * @param issuedClaims the claims Ferry would sign (without {@code jti}, which is drawn at issue, and without
 *     {@code cnf}: a dry run has no proof key to bind to)
 * @param tokenValidation how the subject token fared, when one was given
 * @param dpopProof whether the decision took the request to carry a valid DPoP proof; absent when no rule
 *     was evaluated
 * @param rules every rule of the issuer, each condition with its expected and actual values
 * @param audited the audited exchange explained again, when the dry run named one by {@code exchangeId}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evaluation(
        String decision,
        String error,
        Integer status,
        String errorDescription,
        List<String> scopes,
        List<String> grantedScopes,
        Long lifetimeSeconds,
        Map<String, Object> issuedClaims,
        TokenValidation tokenValidation,
        Boolean dpopProof,
        List<String> matchedRules,
        List<RuleResult> rules,
        Audited audited) {

    /** The decision grants: what would be issued, and the claims Ferry would sign. */
    static Evaluation allowed(
            Decision.Granted granted,
            Map<String, Object> issuedClaims,
            TokenValidation validation,
            boolean dpopProof,
            Audited audited) {
        return new Evaluation(
                "allow",
                null,
                null,
                null,
                granted.scopes(),
                granted.grantedScopes(),
                granted.lifetime().toSeconds(),
                issuedClaims,
                validation,
                dpopProof,
                granted.matchedRules(),
                granted.trace(),
                audited);
    }

    /** The decision refuses: the error {@code /token} would give, and every rule's reasons. */
    static Evaluation refused(
            Decision.Refused refused, TokenValidation validation, boolean dpopProof, Audited audited) {
        return new Evaluation(
                "deny",
                refused.error(),
                400,
                refused.description(),
                null,
                null,
                null,
                null,
                validation,
                dpopProof,
                refused.matchedRules(),
                refused.trace(),
                audited);
    }

    /** The subject token (or the claims) did not get as far as the rules. */
    static Evaluation notDecided(ExchangeError error, TokenValidation validation, Audited audited) {
        return new Evaluation(
                "deny",
                error.error().getErrorCode(),
                error.status().value(),
                error.error().getDescription(),
                null,
                null,
                null,
                null,
                validation,
                null,
                null,
                List.of(),
                audited);
    }

    /**
     * @param performed false when claims were given instead of a token
     * @param reason the failed check, when invalid
     * @param replayChecked always false: a dry run never uses up a {@code jti}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenValidation(
            boolean performed,
            Boolean valid,
            Instant at,
            String issuer,
            String subject,
            Instant expiresAt,
            String reason,
            String description,
            boolean replayChecked) {}

    /**
     * An audited exchange, as {@code /token} answered it then; the evaluation beside it decides on its
     * audited claims with today's rules.
     *
     * @param outcome {@code issued} or {@code refused}
     * @param detail the full cause of a refusal, as the audit log keeps it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Audited(
            String exchangeId,
            Instant occurredAt,
            String outcome,
            String error,
            String errorDescription,
            String detail,
            String target,
            List<String> requestedScopes) {}
}
