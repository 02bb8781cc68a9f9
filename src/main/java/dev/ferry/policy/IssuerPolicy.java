package dev.ferry.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One issuer's compiled rules, indexed by target so a decision looks only at the rules that
 * concern the requested target (plus, when nothing is granted, the other allow rules, to tell
 * {@code invalid_target} from {@code invalid_request}).
 */
final class IssuerPolicy {

    static final IssuerPolicy EMPTY = new IssuerPolicy(List.of());

    private final List<CompiledRule> all;
    private final List<CompiledRule> allows = new ArrayList<>();
    private final List<CompiledRule> untargetedDenies = new ArrayList<>();
    private final Map<String, List<CompiledRule>> allowsByTarget = new HashMap<>();
    private final Map<String, List<CompiledRule>> deniesByTarget = new HashMap<>();

    IssuerPolicy(List<CompiledRule> rules) {
        this.all = rules.stream().sorted(Comparator.comparing(CompiledRule::name)).toList();
        for (CompiledRule rule : all) {
            if (rule.effect() == Effect.ALLOW) {
                allows.add(rule);
                rule.targets().forEach(t -> allowsByTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(rule));
            } else if (rule.targets().isEmpty()) {
                untargetedDenies.add(rule);
            } else {
                rule.targets().forEach(t -> deniesByTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(rule));
            }
        }
    }

    List<CompiledRule> all() {
        return all;
    }

    /** Deny rules that concern {@code target}: those listing it, and those listing no target. */
    List<CompiledRule> deniesFor(String target) {
        List<CompiledRule> targeted = deniesByTarget.getOrDefault(target, List.of());
        if (targeted.isEmpty()) {
            return untargetedDenies;
        }
        List<CompiledRule> denies = new ArrayList<>(untargetedDenies);
        denies.addAll(targeted);
        return denies;
    }

    List<CompiledRule> allowsFor(String target) {
        return allowsByTarget.getOrDefault(target, List.of());
    }

    List<CompiledRule> allows() {
        return allows;
    }
}
