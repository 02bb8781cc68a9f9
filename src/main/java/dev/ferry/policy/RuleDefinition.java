package dev.ferry.policy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * A trust rule as operators define it (docs/rules.md).
 *
 * @param name slug, the rule's key
 * @param issuer the name of the issuer whose tokens it judges
 * @param description free text for operators
 * @param effect allow or deny
 * @param conditions AND-ed tests on the subject token's claims; at least one
 * @param targets audiences/resources the rule concerns (exact strings); a deny rule without targets denies all
 * @param scopes scopes an allow rule grants for its targets
 * @param ttlSeconds lifetime of tokens it grants; null means {@code ferry.token.default-ttl}
 * @param enabled a disabled rule never matches
 * @param requireDpop an allow rule that grants a token only to a request with a valid DPoP proof (RFC 9449),
 *     so only a token bound to the caller's key; null or false: a bearer token too. Left out of responses and
 *     exports when false
 * @param acknowledged linter codes the author accepts, each with a reason: {@code ferry.lint.refuse} does not
 *     refuse the rule for them; left out of responses and exports when empty
 */
@JsonIgnoreProperties(
        value = {"version", "createdAt", "updatedAt", "warnings"},
        allowGetters = true)
@Schema(
        description =
                "A trust rule: when every condition holds on a subject token of the issuer, allow (or deny) its targets",
        example = """
                {"name": "deploy-main", "issuer": "github", "effect": "allow",
                 "conditions": [{"claim": "repository_owner_id", "operator": "equals", "value": "4242"},
                                {"claim": "ref", "operator": "equals", "value": "refs/heads/main"}],
                 "targets": ["https://deploy.example.com"], "scopes": ["deploy"], "ttlSeconds": 600}""")
public record RuleDefinition(
        String name,
        String issuer,
        String description,
        Effect effect,
        List<Condition> conditions,
        List<String> targets,
        List<String> scopes,
        Integer ttlSeconds,
        Boolean enabled,

        @Schema(description = "grant only to a request with a valid DPoP proof (RFC 9449): a bound token")
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        Boolean requireDpop,

        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Acknowledgement> acknowledged) {

    /** A definition that requires no DPoP proof and acknowledges no linter code. */
    public RuleDefinition(
            String name,
            String issuer,
            String description,
            Effect effect,
            List<Condition> conditions,
            List<String> targets,
            List<String> scopes,
            Integer ttlSeconds,
            Boolean enabled) {
        this(name, issuer, description, effect, conditions, targets, scopes, ttlSeconds, enabled, null, null);
    }

    /** This definition under another name: for a {@code PUT}, whose path names the rule. */
    public RuleDefinition withName(String name) {
        return new RuleDefinition(
                name,
                issuer,
                description,
                effect,
                conditions,
                targets,
                scopes,
                ttlSeconds,
                enabled,
                requireDpop,
                acknowledged);
    }
}
