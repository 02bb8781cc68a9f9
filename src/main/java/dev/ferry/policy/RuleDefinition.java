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
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Acknowledgement> acknowledged) {

    /** A definition that acknowledges no linter code. */
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
        this(name, issuer, description, effect, conditions, targets, scopes, ttlSeconds, enabled, null);
    }

    /** This definition under another name: for a {@code PUT}, whose path names the rule. */
    public RuleDefinition withName(String name) {
        return new RuleDefinition(
                name, issuer, description, effect, conditions, targets, scopes, ttlSeconds, enabled, acknowledged);
    }
}
