package dev.ferry.policy;

import dev.ferry.core.ClaimPath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * candidates gives the same decision as evaluating every rule ({@link PolicyEvaluator#explain}),
 * whichever pinned claim a rule is filed under. Rules are added and removed one at a time as
 * definitions change; the selectivity of each claim is kept up to date, and a rule is filed by the
 * selectivity when it was added. Not thread-safe: {@link RuleBook} guards it.
 */
final class RuleIndex {

    private final List<CompiledRule> unindexed = new ArrayList<>();
    private final Map<String, Map<String, List<CompiledRule>>> byClaim = new HashMap<>();
    private final Map<String, Selectivity> selectivity = new HashMap<>();
    /** Where each rule is filed: its pinning condition, or none. */
    private final Map<String, Optional<Condition>> filings = new HashMap<>();

    RuleIndex() {}

    /** The rules, each filed by the selectivity of all of them. */
    RuleIndex(List<CompiledRule> rules) {
        rules.forEach(this::count);
        rules.forEach(this::file);
    }

    /** Adds a rule (none of the same name may be in the index). */
    void add(CompiledRule rule) {
        count(rule);
        file(rule);
    }

    /** Removes the rule of that name, if there is one. */
    void remove(CompiledRule rule) {
        Optional<Condition> filing = filings.remove(rule.name());
        if (filing == null) {
            return;
        }
        pinning(rule).forEach(c -> selectivity.get(c.claim()).remove(values(c)));
        if (filing.isEmpty()) {
            unindexed.removeIf(r -> r.name().equals(rule.name()));
            return;
        }
        Map<String, List<CompiledRule>> byValue = byClaim.get(filing.get().claim());
        for (String value : values(filing.get())) {
            List<CompiledRule> filed = byValue.get(value);
            if (filed != null) {
                filed.removeIf(r -> r.name().equals(rule.name()));
                if (filed.isEmpty()) {
                    byValue.remove(value);
                }
            }
        }
        if (byValue.isEmpty()) {
            byClaim.remove(filing.get().claim());
        }
    }

    private void count(CompiledRule rule) {
        pinning(rule)
                .forEach(c -> selectivity
                        .computeIfAbsent(c.claim(), k -> new Selectivity())
                        .add(values(c)));
    }

    private void file(CompiledRule rule) {
        Optional<Condition> key = pinning(rule).stream()
                .min(Comparator.comparingDouble(c -> selectivity.get(c.claim()).rulesPerValue()));
        filings.put(rule.name(), key);
        if (key.isEmpty()) {
            unindexed.add(rule);
            return;
        }
        Map<String, List<CompiledRule>> byValue =
                byClaim.computeIfAbsent(key.get().claim(), c -> new HashMap<>());
        for (String value : values(key.get())) {
            byValue.computeIfAbsent(value, v -> new ArrayList<>(1)).add(rule);
        }
    }

    private static List<Condition> pinning(CompiledRule rule) {
        return rule.conditions().stream()
                .map(CompiledCondition::source)
                .filter(RuleIndex::pins)
                .toList();
    }

    /** The distinct values of a pinning condition. */
    private static List<String> values(Condition condition) {
        return condition.operator() == Operator.EQUALS
                ? List.of(condition.value())
                : condition.values().stream().distinct().toList();
    }

    /** Whether a condition holds only for tokens whose claim has one of its values. */
    private static boolean pins(Condition condition) {
        return condition.operator() == Operator.EQUALS || condition.operator() == Operator.IN;
    }

    boolean isEmpty() {
        return filings.isEmpty();
    }

    int size() {
        return filings.size();
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

    /**
     * How selective a claim is as an index key: the rules filed under one of its values, on average.
     * {@code repository_owner_id} pinned to a different owner by each of 10,000 rules files 1 rule a
     * value; {@code ref in [a thousand refs]} shared by all of them would file 10,000.
     */
    private static final class Selectivity {
        private final Map<String, Integer> values = new HashMap<>();
        private long filings;

        void add(List<String> pinned) {
            pinned.forEach(value -> values.merge(value, 1, Integer::sum));
            filings += pinned.size();
        }

        void remove(List<String> pinned) {
            pinned.forEach(value -> values.computeIfPresent(value, (v, n) -> n == 1 ? null : n - 1));
            filings -= pinned.size();
        }

        double rulesPerValue() {
            return values.isEmpty() ? Double.MAX_VALUE : (double) filings / values.size();
        }
    }
}
