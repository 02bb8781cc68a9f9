package dev.ferry.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One issuer's compiled rules, indexed by target and then by pinned claim values ({@link RuleIndex}),
 * so a decision looks only at rules that concern the requested target and can match the token (plus,
 * when nothing is granted, the other allow rules that can match, to tell {@code invalid_target} from
 * {@code invalid_request}). Rules are put and removed one at a time as definitions change, at a cost
 * that does not grow with the number of rules. Not thread-safe: {@link RuleBook} guards it.
 */
final class IssuerPolicy {

    static final IssuerPolicy EMPTY = new IssuerPolicy(List.of());

    private final TreeMap<String, CompiledRule> all = new TreeMap<>();
    private final RuleIndex allows;
    private final RuleIndex untargetedDenies;
    private final Map<String, RuleIndex> allowsByTarget = new HashMap<>();
    private final Map<String, RuleIndex> deniesByTarget = new HashMap<>();

    IssuerPolicy(List<CompiledRule> rules) {
        rules.forEach(rule -> all.put(rule.name(), rule));
        List<CompiledRule> allowRules = new ArrayList<>();
        List<CompiledRule> untargeted = new ArrayList<>();
        Map<String, List<CompiledRule>> allowTargets = new HashMap<>();
        Map<String, List<CompiledRule>> denyTargets = new HashMap<>();
        for (CompiledRule rule : all.values()) {
            if (rule.effect() == Effect.ALLOW) {
                allowRules.add(rule);
                rule.targets()
                        .forEach(t -> allowTargets
                                .computeIfAbsent(t, k -> new ArrayList<>())
                                .add(rule));
            } else if (rule.targets().isEmpty()) {
                untargeted.add(rule);
            } else {
                rule.targets()
                        .forEach(t -> denyTargets
                                .computeIfAbsent(t, k -> new ArrayList<>())
                                .add(rule));
            }
        }
        this.allows = new RuleIndex(allowRules);
        this.untargetedDenies = new RuleIndex(untargeted);
        allowTargets.forEach((target, list) -> allowsByTarget.put(target, new RuleIndex(list)));
        denyTargets.forEach((target, list) -> deniesByTarget.put(target, new RuleIndex(list)));
    }

    /** Adds {@code rule}, or replaces the rule of the same name. */
    void put(CompiledRule rule) {
        remove(rule.name());
        all.put(rule.name(), rule);
        if (rule.effect() == Effect.ALLOW) {
            allows.add(rule);
            rule.targets()
                    .forEach(t -> allowsByTarget
                            .computeIfAbsent(t, k -> new RuleIndex())
                            .add(rule));
        } else if (rule.targets().isEmpty()) {
            untargetedDenies.add(rule);
        } else {
            rule.targets()
                    .forEach(t -> deniesByTarget
                            .computeIfAbsent(t, k -> new RuleIndex())
                            .add(rule));
        }
    }

    /** Removes the rule named {@code name}, if there is one. */
    void remove(String name) {
        CompiledRule rule = all.remove(name);
        if (rule == null) {
            return;
        }
        if (rule.effect() == Effect.ALLOW) {
            allows.remove(rule);
            rule.targets().forEach(t -> removeFrom(allowsByTarget, t, rule));
        } else if (rule.targets().isEmpty()) {
            untargetedDenies.remove(rule);
        } else {
            rule.targets().forEach(t -> removeFrom(deniesByTarget, t, rule));
        }
    }

    private static void removeFrom(Map<String, RuleIndex> byTarget, String target, CompiledRule rule) {
        RuleIndex index = byTarget.get(target);
        if (index != null) {
            index.remove(rule);
            if (index.isEmpty()) {
                byTarget.remove(target);
            }
        }
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /** Every rule, in name order. */
    Collection<CompiledRule> all() {
        return all.values();
    }

    /** Deny rules that concern {@code target} (listing it, or listing none) and can match {@code claims}. */
    List<CompiledRule> deniesFor(String target, JsonNode claims) {
        RuleIndex targeted = deniesByTarget.get(target);
        if (targeted == null) {
            return untargetedDenies.candidates(claims);
        }
        List<CompiledRule> denies = new ArrayList<>(untargetedDenies.candidates(claims));
        denies.addAll(targeted.candidates(claims));
        return denies;
    }

    /** Allow rules listing {@code target} that can match {@code claims}. */
    List<CompiledRule> allowsFor(String target, JsonNode claims) {
        RuleIndex index = allowsByTarget.get(target);
        return index == null ? List.of() : index.candidates(claims);
    }

    /** Allow rules of any target that can match {@code claims}. */
    List<CompiledRule> allows(JsonNode claims) {
        return allows.candidates(claims);
    }
}
