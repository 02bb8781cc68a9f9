package dev.ferry.policy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** A rule ready to run: its conditions compiled, its targets and scopes as sets, its lifetime resolved. */
record CompiledRule(
        String name,
        Effect effect,
        boolean enabled,
        List<CompiledCondition> conditions,
        Set<String> targets,
        List<String> scopes,
        Duration ttl) {

    static CompiledRule compile(RuleDefinition d, Duration defaultTtl) {
        return new CompiledRule(
                d.name(),
                d.effect(),
                d.enabled(),
                d.conditions().stream().map(CompiledCondition::compile).toList(),
                Set.copyOf(d.targets()),
                List.copyOf(d.scopes()),
                d.ttlSeconds() == null ? defaultTtl : Duration.ofSeconds(d.ttlSeconds()));
    }

    /** Whether the rule concerns {@code target}: it lists it, or it is a deny rule that lists none. */
    boolean concerns(String target) {
        return targets.contains(target) || (effect == Effect.DENY && targets.isEmpty());
    }

    RuleResult evaluate(JsonNode claims, String target) {
        List<ConditionResult> results =
                conditions.stream().map(c -> c.evaluate(claims)).toList();
        boolean matched = enabled && results.stream().allMatch(ConditionResult::holds);
        return new RuleResult(name, effect, enabled, matched, concerns(target), results);
    }
}
