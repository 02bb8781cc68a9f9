package dev.ferry.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One issuer's compiled rules, indexed by target and then by pinned claim values ({@link RuleIndex}),
 * so a decision looks only at rules that concern the requested target and can match the token
 * (plus, when nothing is granted, the other allow rules that can match, to tell
 * {@code invalid_target} from {@code invalid_request}).
 */
final class IssuerPolicy {

    static final IssuerPolicy EMPTY = new IssuerPolicy(List.of());

    private final List<CompiledRule> all;
    private final RuleIndex allows;
    private final RuleIndex untargetedDenies;
    private final Map<String, RuleIndex> allowsByTarget = new HashMap<>();
    private final Map<String, RuleIndex> deniesByTarget = new HashMap<>();

    IssuerPolicy(List<CompiledRule> rules) {
        this.all =
                rules.stream().sorted(Comparator.comparing(CompiledRule::name)).toList();
        List<CompiledRule> allowRules = new ArrayList<>();
        List<CompiledRule> untargeted = new ArrayList<>();
        Map<String, List<CompiledRule>> allowTargets = new HashMap<>();
        Map<String, List<CompiledRule>> denyTargets = new HashMap<>();
        for (CompiledRule rule : all) {
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

    List<CompiledRule> all() {
        return all;
    }

    /** Deny rules that concern {@code target} (listing it, or listing none) and can match {@code claims}. */
    List<CompiledRule> deniesFor(String target, JsonNode claims) {
        RuleIndex targeted = deniesByTarget.getOrDefault(target, RuleIndex.EMPTY);
        if (targeted.isEmpty()) {
            return untargetedDenies.candidates(claims);
        }
        List<CompiledRule> denies = new ArrayList<>(untargetedDenies.candidates(claims));
        denies.addAll(targeted.candidates(claims));
        return denies;
    }

    /** Allow rules listing {@code target} that can match {@code claims}. */
    List<CompiledRule> allowsFor(String target, JsonNode claims) {
        return allowsByTarget.getOrDefault(target, RuleIndex.EMPTY).candidates(claims);
    }

    /** Allow rules of any target that can match {@code claims}. */
    List<CompiledRule> allows(JsonNode claims) {
        return allows.candidates(claims);
    }
}
