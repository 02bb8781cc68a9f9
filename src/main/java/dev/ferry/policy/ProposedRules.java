package dev.ferry.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A private rule book of proposed definitions, compiled and indexed exactly as the live one, for
 * deciding what a change would do ({@link PolicyEvaluator#decide(ProposedRules, DecisionRequest)})
 * without touching the rules {@code /token} uses. Read-only once built, so it may be shared by threads.
 */
public final class ProposedRules {

    private final Map<String, IssuerPolicy> byIssuer;
    private final int size;

    private ProposedRules(Map<String, IssuerPolicy> byIssuer, int size) {
        this.byIssuer = byIssuer;
        this.size = size;
    }

    /**
     * Compiles {@code definitions} (as stored: validated, defaults filled in), a rule without a
     * {@code ttlSeconds} lasting {@code defaultTtl}.
     */
    public static ProposedRules of(Collection<RuleDefinition> definitions, Duration defaultTtl) {
        Map<String, List<CompiledRule>> grouped = new HashMap<>();
        for (RuleDefinition d : definitions) {
            grouped.computeIfAbsent(d.issuer(), i -> new ArrayList<>()).add(CompiledRule.compile(d, defaultTtl));
        }
        Map<String, IssuerPolicy> policies = new HashMap<>();
        grouped.forEach((issuer, compiled) -> policies.put(issuer, new IssuerPolicy(compiled)));
        return new ProposedRules(policies, definitions.size());
    }

    /** How many rules it holds. */
    public int size() {
        return size;
    }

    IssuerPolicy policy(String issuer) {
        return byIssuer.getOrDefault(issuer, IssuerPolicy.EMPTY);
    }
}
