package dev.ferry.admin;

import dev.ferry.audit.AdminEvent;
import dev.ferry.audit.AuditIds;
import dev.ferry.audit.AuditLog;
import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleService;
import java.time.Clock;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Every write to issuers and rules, each in one transaction with its audit event (who, what,
 * before, after), so a change and its record commit or roll back together.
 */
@Service
class DefinitionWriter {

    private final IssuerService issuers;
    private final RuleService rules;
    private final AuditLog audit;
    private final Clock clock;

    DefinitionWriter(IssuerService issuers, RuleService rules, AuditLog audit, Clock clock) {
        this.issuers = issuers;
        this.rules = rules;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public Stored<IssuerDefinition> createIssuer(String principal, IssuerDefinition definition) {
        Stored<IssuerDefinition> created = issuers.create(definition);
        record(principal, "create", "issuer", created.definition().name(), null, created.definition());
        return created;
    }

    @Transactional
    public Stored<IssuerDefinition> replaceIssuer(
            String principal, String name, IssuerDefinition definition, Long expectedVersion) {
        Stored<IssuerDefinition> before = issuers.get(name);
        Stored<IssuerDefinition> after = issuers.replace(name, definition, expectedVersion);
        record(principal, "replace", "issuer", name, before.definition(), after.definition());
        return after;
    }

    /** Deletes an issuer; with {@code cascade}, its rules first, else it must have none. */
    @Transactional
    public void deleteIssuer(String principal, String name, boolean cascade) {
        Stored<IssuerDefinition> before = issuers.get(name);
        for (Stored<RuleDefinition> rule : rules.ofIssuer(name)) {
            if (!cascade) {
                throw new DefinitionException.Conflict("issuer '" + name + "' still has rules (such as '"
                        + rule.definition().name() + "'); delete them first or add ?cascade=true");
            }
            deleteRule(principal, rule.definition().name());
        }
        issuers.delete(name);
        record(principal, "delete", "issuer", name, before.definition(), null);
    }

    @Transactional
    public Stored<RuleDefinition> createRule(String principal, RuleDefinition definition) {
        Stored<RuleDefinition> created = rules.create(definition);
        record(principal, "create", "rule", created.definition().name(), null, created.definition());
        return created;
    }

    @Transactional
    public Stored<RuleDefinition> replaceRule(
            String principal, String name, RuleDefinition definition, Long expectedVersion) {
        Stored<RuleDefinition> before = rules.get(name);
        Stored<RuleDefinition> after = rules.replace(name, definition, expectedVersion);
        record(principal, "replace", "rule", name, before.definition(), after.definition());
        return after;
    }

    @Transactional
    public void deleteRule(String principal, String name) {
        Stored<RuleDefinition> before = rules.get(name);
        rules.delete(name);
        record(principal, "delete", "rule", name, before.definition(), null);
    }

    private void record(String principal, String action, String type, String name, Object before, Object after) {
        audit.recordAdmin(
                new AdminEvent(AuditIds.next(), clock.instant(), principal, action, type, name, before, after));
    }
}
