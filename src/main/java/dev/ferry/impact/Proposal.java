package dev.ferry.impact;

import dev.ferry.federation.IssuerDefinition;
import dev.ferry.policy.RuleDefinition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The issuers and rules as a change would leave them, whole (not only what it changes), as stored:
 * validated, defaults filled in.
 *
 * @param rules every rule after the change
 * @param enabledIssuers the issuers that would exist and be enabled: the others' exchanges would be refused
 * @param proposedRules the rules the change creates or modifies: those that would match nothing are reported
 */
public record Proposal(List<RuleDefinition> rules, Set<String> enabledIssuers, Set<String> proposedRules) {

    public Proposal {
        rules = List.copyOf(rules);
        enabledIssuers = Set.copyOf(enabledIssuers);
        proposedRules = Set.copyOf(proposedRules);
    }

    /** A whole set of definitions, as an import would leave it. */
    public static Proposal of(
            Collection<RuleDefinition> rules, Collection<IssuerDefinition> issuers, Collection<String> proposedRules) {
        return new Proposal(List.copyOf(rules), enabled(issuers), Set.copyOf(proposedRules));
    }

    /** Today's definitions with {@code changed} created, or put in place of the rule of its name. */
    public static Proposal withRule(
            Collection<RuleDefinition> current, Collection<IssuerDefinition> issuers, RuleDefinition changed) {
        List<RuleDefinition> rules = new ArrayList<>(current.size() + 1);
        current.stream().filter(r -> !r.name().equals(changed.name())).forEach(rules::add);
        rules.add(changed);
        return new Proposal(rules, enabled(issuers), Set.of(changed.name()));
    }

    /** Today's definitions with {@code changed} put in place of the issuer of its name. */
    public static Proposal withIssuer(
            Collection<RuleDefinition> current, Collection<IssuerDefinition> issuers, IssuerDefinition changed) {
        List<IssuerDefinition> after = new ArrayList<>(issuers.size() + 1);
        issuers.stream().filter(i -> !i.name().equals(changed.name())).forEach(after::add);
        after.add(changed);
        return new Proposal(List.copyOf(current), enabled(after), Set.of());
    }

    private static Set<String> enabled(Collection<IssuerDefinition> issuers) {
        return issuers.stream()
                .filter(i -> !Boolean.FALSE.equals(i.enabled()))
                .map(IssuerDefinition::name)
                .collect(Collectors.toSet());
    }
}
