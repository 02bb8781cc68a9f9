package dev.ferry.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Rules by the targets they list, each target's rules in a {@link RuleIndex} by pinned claim values.
 * A literal target is filed under itself. A templated one ({@link Template}) is filed under its literal
 * prefix, the text before its first placeholder, which every target it can substitute to starts with:
 * a lookup tries the requested target's own prefixes of the lengths some template's prefix has (a hash
 * lookup each, so the cost grows with the number of distinct prefix lengths, not of rules). The
 * candidates are a superset of the rules concerning the target; the evaluator then keeps those whose
 * substituted target equals the requested one exactly ({@link CompiledRule#concerns}), so the lookup
 * stays exact. Not thread-safe: {@link RuleBook} guards it.
 */
final class TargetIndex {

    private final Map<String, RuleIndex> exact = new HashMap<>();
    private final Map<String, RuleIndex> byPrefix = new HashMap<>();
    /** Each length some prefix in {@link #byPrefix} has, with how many prefixes have it. */
    private final TreeMap<Integer, Integer> prefixLengths = new TreeMap<>();

    /** Files every rule at once, each target's index built with the selectivity of all its rules. */
    TargetIndex(List<CompiledRule> rules) {
        Map<String, List<CompiledRule>> literal = new HashMap<>();
        Map<String, List<CompiledRule>> prefixed = new HashMap<>();
        for (CompiledRule rule : rules) {
            rule.targets()
                    .forEach(t ->
                            literal.computeIfAbsent(t, k -> new ArrayList<>()).add(rule));
            prefixes(rule)
                    .forEach(p ->
                            prefixed.computeIfAbsent(p, k -> new ArrayList<>()).add(rule));
        }
        literal.forEach((target, list) -> exact.put(target, new RuleIndex(list)));
        prefixed.forEach((prefix, list) -> {
            byPrefix.put(prefix, new RuleIndex(list));
            prefixLengths.merge(prefix.length(), 1, Integer::sum);
        });
    }

    void add(CompiledRule rule) {
        rule.targets()
                .forEach(t -> exact.computeIfAbsent(t, k -> new RuleIndex()).add(rule));
        for (String prefix : prefixes(rule)) {
            byPrefix.computeIfAbsent(prefix, p -> {
                        prefixLengths.merge(p.length(), 1, Integer::sum);
                        return new RuleIndex();
                    })
                    .add(rule);
        }
    }

    void remove(CompiledRule rule) {
        rule.targets().forEach(t -> removeFrom(exact, t, rule));
        for (String prefix : prefixes(rule)) {
            if (removeFrom(byPrefix, prefix, rule)) {
                prefixLengths.computeIfPresent(prefix.length(), (length, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    /** The rules that may concern {@code target} and can match {@code claims}. A rule may appear twice. */
    List<CompiledRule> candidates(String target, JsonNode claims) {
        RuleIndex literal = exact.get(target);
        List<CompiledRule> found = literal == null ? List.of() : literal.candidates(claims);
        if (prefixLengths.isEmpty()) {
            return found;
        }
        List<CompiledRule> candidates = new ArrayList<>(found);
        for (int length : prefixLengths.headMap(target.length(), true).keySet()) {
            RuleIndex templated = byPrefix.get(target.substring(0, length));
            if (templated != null) {
                candidates.addAll(templated.candidates(claims));
            }
        }
        return candidates;
    }

    /** The distinct literal prefixes of the rule's templated targets. */
    private static Set<String> prefixes(CompiledRule rule) {
        Set<String> prefixes = new LinkedHashSet<>();
        rule.targetTemplates().forEach(t -> prefixes.add(t.literalPrefix()));
        return prefixes;
    }

    /** Removes the rule from the key's index; true when that left the index empty and it was dropped. */
    private static boolean removeFrom(Map<String, RuleIndex> byKey, String key, CompiledRule rule) {
        RuleIndex index = byKey.get(key);
        if (index == null) {
            return false;
        }
        index.remove(rule);
        if (index.isEmpty()) {
            byKey.remove(key);
            return true;
        }
        return false;
    }
}
