package dev.ferry.policy;

import java.util.List;

/**
 * How one rule fared: it matched when every condition held (and it is enabled).
 *
 * @param targetsRequested whether the rule lists the requested target (a deny rule without targets counts)
 */
public record RuleResult(
        String rule,
        Effect effect,
        boolean enabled,
        boolean matched,
        boolean targetsRequested,
        List<ConditionResult> conditions) {}
