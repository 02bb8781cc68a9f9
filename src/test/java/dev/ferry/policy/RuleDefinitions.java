package dev.ferry.policy;

import java.util.List;

/** Copies of a rule definition with one part changed, for the linter and guardrail tests. */
final class RuleDefinitions {

    private RuleDefinitions() {}

    static RuleDefinition requiringDpop(RuleDefinition d) {
        return copy(d, true, d.acknowledged());
    }

    static RuleDefinition withAcknowledged(RuleDefinition d, List<Acknowledgement> acknowledged) {
        return copy(d, d.requireDpop(), acknowledged);
    }

    private static RuleDefinition copy(RuleDefinition d, Boolean requireDpop, List<Acknowledgement> acknowledged) {
        return new RuleDefinition(
                d.name(),
                d.issuer(),
                d.description(),
                d.effect(),
                d.conditions(),
                d.targets(),
                d.scopes(),
                d.ttlSeconds(),
                d.enabled(),
                requireDpop,
                acknowledged);
    }
}
