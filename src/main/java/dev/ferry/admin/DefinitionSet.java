package dev.ferry.admin;

import dev.ferry.federation.IssuerDefinition;
import dev.ferry.policy.RuleDefinition;
import java.util.List;

/** Every issuer and rule: what {@code /export} writes and {@code /import} and the bootstrap file read. */
record DefinitionSet(List<IssuerDefinition> issuers, List<RuleDefinition> rules) {

    DefinitionSet {
        issuers = issuers == null ? List.of() : issuers;
        rules = rules == null ? List.of() : rules;
    }
}
