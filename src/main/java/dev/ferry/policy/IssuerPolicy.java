package dev.ferry.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One issuer's compiled rules, indexed by target ({@link TargetIndex}: literal targets exactly,
 * templated ones by their literal prefix) and then by pinned claim values ({@link RuleIndex}), so a
 * decision looks only at rules that may concern the requested target and can match the token (plus,
 * when nothing is granted, the other allow rules that can match, to tell {@code invalid_target} from
 * {@code invalid_request}). Rules are put and removed one at a time as definitions change, at a cost
 * that does not grow with the number of rules. Not thread-safe: {@link RuleBook} guards it.
 */
final class IssuerPolicy {

    static final IssuerPolicy EMPTY = new IssuerPolicy(List.of());

    private final TreeMap<String, CompiledRule> all = new TreeMap<>();
    private final RuleIndex allows;
    private final RuleIndex untargetedDenies;
    private final TargetIndex allowsByTarget;
    private final TargetIndex deniesByTarget;

    IssuerPolicy(List<CompiledRule> rules) {
        rules.forEach(rule -> all.put(rule.name(), rule));
        List<CompiledRule> allowRules = new ArrayList<>();
        List<CompiledRule> untargeted = new ArrayList<>();
        List<CompiledRule> targetedDenies = new ArrayList<>();
        for (CompiledRule rule : all.values()) {
            if (rule.effect() == Effect.ALLOW) {
                allowRules.add(rule);
            } else if (untargeted(rule)) {
                untargeted.add(rule);
            } else {
                targetedDenies.add(rule);
            }
        }
        this.allows = new RuleIndex(allowRules);
        this.untargetedDenies = new RuleIndex(untargeted);
        this.allowsByTarget = new TargetIndex(allowRules);
        this.deniesByTarget = new TargetIndex(targetedDenies);
    }

    private static boolean untargeted(CompiledRule rule) {
        return rule.targets().isEmpty() && rule.targetTemplates().isEmpty();
    }

    /** Adds {@code rule}, or replaces the rule of the same name. */
    void put(CompiledRule rule) {
        remove(rule.name());
        all.put(rule.name(), rule);
        if (rule.effect() == Effect.ALLOW) {
            allows.add(rule);
            allowsByTarget.add(rule);
        } else if (untargeted(rule)) {
            untargetedDenies.add(rule);
        } else {
            deniesByTarget.add(rule);
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
            allowsByTarget.remove(rule);
        } else if (untargeted(rule)) {
            untargetedDenies.remove(rule);
        } else {
            deniesByTarget.remove(rule);
        }
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /** Every rule, in name order. */
    Collection<CompiledRule> all() {
        return all.values();
    }

    /** Deny rules that may concern {@code target} (listing it, or listing none) and can match {@code claims}. */
    List<CompiledRule> deniesFor(String target, JsonNode claims) {
        List<CompiledRule> targeted = deniesByTarget.candidates(target, claims);
        if (targeted.isEmpty()) {
            return untargetedDenies.candidates(claims);
        }
        List<CompiledRule> denies = new ArrayList<>(untargetedDenies.candidates(claims));
        denies.addAll(targeted);
        return denies;
    }

    /** Allow rules that may concern {@code target} and can match {@code claims}. */
    List<CompiledRule> allowsFor(String target, JsonNode claims) {
        return allowsByTarget.candidates(target, claims);
    }

    /** Allow rules of any target that can match {@code claims}. */
    List<CompiledRule> allows(JsonNode claims) {
        return allows.candidates(claims);
    }
}
