package dev.ferry.exchange;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.policy.RuleResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code /token} would answer, and why.
 *
 * @param decision {@code allow} or {@code deny}
 * @param error the OAuth error {@code /token} would give, with its HTTP status and description
 * @param scopes the scopes that would be issued; {@code grantedScopes} all that the matching rules grant
 * @param lifetimeSeconds the issued token's lifetime
 * @param issuedClaims the claims Ferry would sign (without {@code jti}, which is drawn at issue)
 * @param tokenValidation how the subject token fared, when one was given
 * @param rules every rule of the issuer, each condition with its expected and actual values
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
        List<String> matchedRules,
        List<RuleResult> rules) {

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
}
