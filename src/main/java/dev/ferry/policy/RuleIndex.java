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
    /**
     * Claim, then value, then the rules filed there: the rule itself when it is the only one (the usual
     * case when each rule pins its own repository), a list when several share the value. No list for one
     * rule, and no map of where each rule is filed (removal looks under each of its pinning conditions):
     * 100,000 rules sit in two indexes each (docs/performance.md, "Memory with 100,000 rules").
     */
    private final Map<String, Map<String, Object>> byClaim = new HashMap<>();

    private final Map<String, Selectivity> selectivity = new HashMap<>();
    private int size;

    RuleIndex() {}

    /** The rules, each filed by the selectivity of all of them. */
    RuleIndex(List<CompiledRule> rules) {
        rules.forEach(this::count);
        rules.forEach(this::file);
        size = rules.size();
    }

    /** Adds a rule (none of the same name may be in the index). */
    void add(CompiledRule rule) {
        count(rule);
        file(rule);
        size++;
    }

    /**
     * Removes the rule of that name, if there is one. {@code rule} must be the very object that was added
     * (as {@link IssuerPolicy} keeps it): its pinning conditions say where it was filed, and a changed
     * definition of the same name would look in the wrong places.
     */
    void remove(CompiledRule rule) {
        List<CompiledCondition> pinning = pinning(rule);
        boolean removed = pinning.isEmpty()
                ? unindexed.removeIf(r -> r.name().equals(rule.name()))
                : unfile(rule.name(), pinning);
        if (!removed) {
            return;
        }
        size--;
        pinning.forEach(c -> selectivity.get(c.claim()).remove(values(c)));
    }

    private void count(CompiledRule rule) {
        pinning(rule)
                .forEach(c -> selectivity
                        .computeIfAbsent(c.claim(), k -> new Selectivity())
                        .add(values(c)));
    }

    private void file(CompiledRule rule) {
        Optional<CompiledCondition> key = pinning(rule).stream()
                .min(Comparator.comparingDouble(c -> selectivity.get(c.claim()).rulesPerValue()));
        if (key.isEmpty()) {
            unindexed.add(rule);
            return;
        }
        Map<String, Object> byValue = byClaim.computeIfAbsent(key.get().claim(), c -> new HashMap<>());
        for (String value : values(key.get())) {
            byValue.merge(value, rule, RuleIndex::join);
        }
    }

    /** The rules filed under one value once {@code added} joins {@code filed} (a rule, or a list of them). */
    @SuppressWarnings("unchecked")
    private static Object join(Object filed, Object added) {
        List<CompiledRule> several;
        if (filed instanceof CompiledRule one) {
            several = new ArrayList<>(2);
            several.add(one);
        } else {
            several = (List<CompiledRule>) filed;
        }
        several.add((CompiledRule) added);
        return several;
    }

    /**
     * Takes the rule of that name out from under the pinning condition it was filed by: the most
     * selective one when it was added, which may not be the most selective now, so each is looked under.
     */
    private boolean unfile(String name, List<CompiledCondition> pinning) {
        boolean removed = false;
        for (CompiledCondition condition : pinning) {
            Map<String, Object> byValue = byClaim.get(condition.claim());
            if (byValue == null) {
                continue;
            }
            for (String value : values(condition)) {
                removed |= unfile(name, byValue, value);
            }
            if (byValue.isEmpty()) {
                byClaim.remove(condition.claim());
            }
        }
        return removed;
    }

    private static boolean unfile(String name, Map<String, Object> byValue, String value) {
        Object filed = byValue.get(value);
        if (filed instanceof CompiledRule one) {
            if (!one.name().equals(name)) {
                return false;
            }
            byValue.remove(value);
            return true;
        }
        if (!(filed instanceof List<?> several)) {
            return false;
        }
        boolean removed = several.removeIf(r -> ((CompiledRule) r).name().equals(name));
        if (several.size() == 1) {
            byValue.put(value, several.get(0));
        }
        return removed;
    }

    private static List<CompiledCondition> pinning(CompiledRule rule) {
        return rule.conditions().stream().filter(RuleIndex::pins).toList();
    }

    /** The distinct values of a pinning condition. */
    private static List<String> values(CompiledCondition condition) {
        return condition.operator() == Operator.EQUALS
                ? List.of(condition.value())
                : condition.values().stream().distinct().toList();
    }

    /**
     * Whether a condition holds only for tokens whose claim has one of its values (an {@code in} without
     * values holds for none and pins nothing: the rule is then evaluated like an unpinned one).
     */
    private static boolean pins(CompiledCondition condition) {
        return condition.operator() == Operator.EQUALS
                || (condition.operator() == Operator.IN && !condition.values().isEmpty());
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The rules that can match {@code claims}: a superset of those that do. A rule may appear twice. */
    @SuppressWarnings("unchecked")
    List<CompiledRule> candidates(JsonNode claims) {
        if (byClaim.isEmpty()) {
            return unindexed;
        }
        List<CompiledRule> candidates = new ArrayList<>(unindexed);
        byClaim.forEach((claim, byValue) -> {
            for (String value : CompiledCondition.texts(ClaimPath.resolve(claims, claim))) {
                Object filed = byValue.get(value);
                if (filed instanceof CompiledRule one) {
                    candidates.add(one);
                } else if (filed != null) {
                    candidates.addAll((List<CompiledRule>) filed);
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
