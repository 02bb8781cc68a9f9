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
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAspectSupport;

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

    /** Creates an issuer; with {@code dryRun}, does all the same and rolls back: the answer is what would be stored. */
    @Transactional
    public Stored<IssuerDefinition> createIssuer(String principal, IssuerDefinition definition, boolean dryRun) {
        Stored<IssuerDefinition> created = issuers.create(definition);
        record(principal, "create", "issuer", created.definition().name(), null, created.definition());
        return rolledBackIf(dryRun, created);
    }

    @Transactional
    public Stored<IssuerDefinition> replaceIssuer(
            String principal, String name, IssuerDefinition definition, Long expectedVersion, boolean dryRun) {
        Stored<IssuerDefinition> before = issuers.get(name);
        Stored<IssuerDefinition> after = issuers.replace(name, definition, expectedVersion);
        record(principal, "replace", "issuer", name, before.definition(), after.definition());
        return rolledBackIf(dryRun, after);
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

    /** Creates a rule; with {@code dryRun}, does all the same and rolls back: the answer is what would be stored. */
    @Transactional
    public Stored<RuleDefinition> createRule(String principal, RuleDefinition definition, boolean dryRun) {
        Stored<RuleDefinition> created = rules.create(definition);
        record(principal, "create", "rule", created.definition().name(), null, created.definition());
        return rolledBackIf(dryRun, created);
    }

    /**
     * Creates rules an import has normalized and found absent, each with its audit event, in statement
     * batches: inside the import's transaction, so they commit or roll back with it.
     */
    @Transactional
    public void createRules(String principal, List<RuleDefinition> normalized) {
        if (normalized.isEmpty()) {
            return;
        }
        List<AdminEvent> events = new ArrayList<>(normalized.size());
        for (Stored<RuleDefinition> created : rules.createAll(normalized)) {
            events.add(new AdminEvent(
                    AuditIds.next(),
                    clock.instant(),
                    principal,
                    "create",
                    "rule",
                    created.definition().name(),
                    null,
                    created.definition()));
        }
        audit.recordAdmin(events);
    }

    @Transactional
    public Stored<RuleDefinition> replaceRule(
            String principal, String name, RuleDefinition definition, Long expectedVersion, boolean dryRun) {
        Stored<RuleDefinition> before = rules.get(name);
        Stored<RuleDefinition> after = rules.replace(name, definition, expectedVersion);
        record(principal, "replace", "rule", name, before.definition(), after.definition());
        return rolledBackIf(dryRun, after);
    }

    /**
     * A dry run's transaction rolls back: the write, its audit event and the revision bump with it, so
     * no replica reloads anything (the change event is only delivered after a commit).
     */
    private static <T> T rolledBackIf(boolean dryRun, T result) {
        if (dryRun) {
            TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
        }
        return result;
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
