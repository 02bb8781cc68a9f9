package dev.ferry.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How one rule fared: it matched when every condition held (and it is enabled).
 *
 * @param targetsRequested whether the rule lists the requested target, or a template of its substitutes to
 *     exactly it (a deny rule without targets counts)
 * @param templates each templated target and scope with the claim values it used and its result; absent for a
 *     rule without templates
 * @param requireDpop the rule grants only to a request with a DPoP proof; absent when it does not
 */
public record RuleResult(
        String rule,
        Effect effect,
        boolean enabled,
        boolean matched,
        boolean targetsRequested,
        List<ConditionResult> conditions,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<TemplateResult> templates,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean requireDpop) {

    /** A rule that requires no DPoP proof. */
    public RuleResult(
            String rule,
            Effect effect,
            boolean enabled,
            boolean matched,
            boolean targetsRequested,
            List<ConditionResult> conditions,
            List<TemplateResult> templates) {
        this(rule, effect, enabled, matched, targetsRequested, conditions, templates, false);
    }

    /** A rule without templates that requires no DPoP proof. */
    public RuleResult(
            String rule,
            Effect effect,
            boolean enabled,
            boolean matched,
            boolean targetsRequested,
            List<ConditionResult> conditions) {
        this(rule, effect, enabled, matched, targetsRequested, conditions, null, false);
    }
}
