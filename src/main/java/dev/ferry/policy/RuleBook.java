package dev.ferry.policy;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.TrustConfigurationChanged;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The in-memory copy of every rule, compiled and indexed per issuer: the token endpoint never reads
 * the database for rules. Rebuilt whole after each definition change and swapped in atomically, so
 * a decision always sees one consistent set.
 */
@Component
class RuleBook {

    private final RuleService rules;
    private final Duration defaultTtl;
    private volatile Map<String, IssuerPolicy> byIssuer = Map.of();

    RuleBook(RuleService rules, FerryProperties properties) {
        this.rules = rules;
        this.defaultTtl = properties.token().defaultTtl();
    }

    IssuerPolicy forIssuer(String issuer) {
        return byIssuer.getOrDefault(issuer, IssuerPolicy.EMPTY);
    }

    @PostConstruct
    void load() {
        reload(null);
    }

    @TransactionalEventListener(fallbackExecution = true)
    synchronized void reload(TrustConfigurationChanged change) {
        Map<String, List<CompiledRule>> grouped = rules.definitions().stream()
                .collect(Collectors.groupingBy(
                        RuleDefinition::issuer,
                        Collectors.mapping(d -> CompiledRule.compile(d, defaultTtl), Collectors.toList())));
        Map<String, IssuerPolicy> policies = new HashMap<>();
        grouped.forEach((issuer, compiled) -> policies.put(issuer, new IssuerPolicy(compiled)));
        byIssuer = Map.copyOf(policies);
    }
}
