package dev.ferry.policy;

import dev.ferry.core.ClaimPath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Finds the rules that can match a token without evaluating them all. A rule with an {@code equals}
 * or {@code in} condition (pinning, say, {@code repository_owner_id}) can only match tokens whose
 * claim has one of those values, so it is filed under that claim and value; a lookup per indexed
 * claim then yields the candidates. Rules without such a condition are always candidates. Each rule
 * is filed under its most selective pinned claim (the one that files the fewest rules under each of
 * its values, such as {@code repository_owner_id} rather than {@code ref}), so few candidates come
 * back whatever order the conditions are written in.
 *
 * <p>Exact, not a heuristic: every rule left out has a condition that cannot hold, so evaluating the
 * candidates gives the same decision as evaluating every rule ({@link PolicyEvaluator#explain}).
 */
final class RuleIndex {

    static final RuleIndex EMPTY = new RuleIndex(List.of());

    private final List<CompiledRule> unindexed = new ArrayList<>();
    private final Map<String, Map<String, List<CompiledRule>>> byClaim = new HashMap<>();
    private final int size;

    RuleIndex(List<CompiledRule> rules) {
        this.size = rules.size();
        Map<String, Selectivity> selectivity = new HashMap<>();
        rules.forEach(rule -> rule.conditions().stream()
                .map(CompiledCondition::source)
                .filter(RuleIndex::pins)
                .forEach(c -> selectivity
                        .computeIfAbsent(c.claim(), k -> new Selectivity())
                        .add(values(c))));
        for (CompiledRule rule : rules) {
            Optional<Condition> key = rule.conditions().stream()
                    .map(CompiledCondition::source)
                    .filter(RuleIndex::pins)
                    .min(Comparator.comparingDouble(
                            c -> selectivity.get(c.claim()).rulesPerValue()));
            if (key.isEmpty()) {
                unindexed.add(rule);
                continue;
            }
            Map<String, List<CompiledRule>> byValue =
                    byClaim.computeIfAbsent(key.get().claim(), c -> new HashMap<>());
            values(key.get()).stream()
                    .distinct()
                    .forEach(value -> byValue.computeIfAbsent(value, v -> new ArrayList<>())
                            .add(rule));
        }
    }

    /**
     * How selective a claim is as an index key: the rules filed under one of its values, on average.
     * {@code repository_owner_id} pinned to a different owner by each of 10,000 rules files 1 rule a
     * value; {@code ref in [a thousand refs]} shared by all of them would file 10,000.
     */
    private static final class Selectivity {
        private final Set<String> values = new HashSet<>();
        private long filings;

        void add(List<String> pinned) {
            values.addAll(pinned);
            filings += pinned.size();
        }

        double rulesPerValue() {
            return (double) filings / values.size();
        }
    }

    private static List<String> values(Condition condition) {
        return condition.operator() == Operator.EQUALS ? List.of(condition.value()) : condition.values();
    }

    /** Whether a condition holds only for tokens whose claim has one of its values. */
    private static boolean pins(Condition condition) {
        return condition.operator() == Operator.EQUALS || condition.operator() == Operator.IN;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The rules that can match {@code claims}: a superset of those that do. A rule may appear twice. */
    List<CompiledRule> candidates(JsonNode claims) {
        if (byClaim.isEmpty()) {
            return unindexed;
        }
        List<CompiledRule> candidates = new ArrayList<>(unindexed);
        byClaim.forEach((claim, byValue) -> {
            for (String value : CompiledCondition.texts(ClaimPath.resolve(claims, claim))) {
                List<CompiledRule> filed = byValue.get(value);
                if (filed != null) {
                    candidates.addAll(filed);
                }
            }
        });
        return candidates;
    }
}
