package dev.ferry.admin;

import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleService;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAspectSupport;

/**
 * Applies a whole {@link DefinitionSet} in one transaction: every definition is validated exactly as
 * the REST API validates it, and either all changes commit or none do. A dry run does the same work
 * and rolls back, so its answer is exactly what a real run would do.
 */
@Service
class DefinitionImporter {

    private static final int CLEAR_EVERY = 100;

    private final IssuerService issuers;
    private final RuleService rules;
    private final DefinitionWriter writer;
    private final JdbcTemplate jdbc;
    private final EntityManager entityManager;

    DefinitionImporter(
            IssuerService issuers,
            RuleService rules,
            DefinitionWriter writer,
            JdbcTemplate jdbc,
            EntityManager entityManager) {
        this.issuers = issuers;
        this.rules = rules;
        this.writer = writer;
        this.jdbc = jdbc;
        this.entityManager = entityManager;
    }

    @Transactional
    public ImportResult apply(String principal, DefinitionSet set, boolean prune, boolean dryRun) {
        jdbc.queryForObject("select name from ferry_lock where name = 'definitions' for update", String.class);
        requireUniqueNames(set);
        Changes changes = new Changes();
        Map<String, Stored<IssuerDefinition>> storedIssuers =
                index(issuers.list(), s -> s.definition().name());
        for (int i = 0; i < set.issuers().size(); i++) {
            applyIssuer(principal, "issuers[" + i + "]", set.issuers().get(i), storedIssuers, changes);
        }
        Map<String, Stored<RuleDefinition>> storedRules =
                index(rules.list(), s -> s.definition().name());
        for (int i = 0; i < set.rules().size(); i++) {
            applyRule(principal, "rules[" + i + "]", set.rules().get(i), storedRules, changes);
            if (i % CLEAR_EVERY == CLEAR_EVERY - 1) {
                // Every 100 rules of the file. Each write is flushed at once, and each flush
                // dirty-checks every entity the persistence context holds: left to grow, an import of
                // n rules costs O(n²). After a clear, a rule to replace is read again: one select.
                entityManager.clear();
            }
        }
        if (prune) {
            prune(principal, set, storedIssuers, storedRules, changes);
        }
        if (dryRun) {
            TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
        }
        return new ImportResult(dryRun, changes.created, changes.updated, changes.unchanged, changes.deleted);
    }

    private void applyIssuer(
            String principal,
            String field,
            IssuerDefinition given,
            Map<String, Stored<IssuerDefinition>> stored,
            Changes changes) {
        IssuerDefinition normalized = within(field, () -> issuers.normalize(given));
        Stored<IssuerDefinition> current = stored.get(normalized.name());
        String entry = "issuer/" + normalized.name();
        if (current == null) {
            within(field, () -> writer.createIssuer(principal, normalized, false));
            changes.created.add(entry);
        } else if (!current.definition().equals(normalized)) {
            within(field, () -> writer.replaceIssuer(principal, normalized.name(), normalized, null, false));
            changes.updated.add(entry);
        } else {
            changes.unchanged.add(entry);
        }
    }

    private void applyRule(
            String principal,
            String field,
            RuleDefinition given,
            Map<String, Stored<RuleDefinition>> stored,
            Changes changes) {
        RuleDefinition normalized = within(field, () -> rules.normalize(given));
        Stored<RuleDefinition> current = stored.get(normalized.name());
        String entry = "rule/" + normalized.name();
        if (current == null) {
            within(field, () -> writer.createRule(principal, normalized, false));
            changes.created.add(entry);
        } else if (!current.definition().equals(normalized)) {
            within(field, () -> writer.replaceRule(principal, normalized.name(), normalized, null, false));
            changes.updated.add(entry);
        } else {
            changes.unchanged.add(entry);
        }
    }

    private void prune(
            String principal,
            DefinitionSet set,
            Map<String, Stored<IssuerDefinition>> storedIssuers,
            Map<String, Stored<RuleDefinition>> storedRules,
            Changes changes) {
        Set<String> keptRules = set.rules().stream().map(RuleDefinition::name).collect(Collectors.toSet());
        for (String name : storedRules.keySet().stream().sorted().toList()) {
            if (!keptRules.contains(name)) {
                writer.deleteRule(principal, name);
                changes.deleted.add("rule/" + name);
            }
        }
        Set<String> keptIssuers =
                set.issuers().stream().map(IssuerDefinition::name).collect(Collectors.toSet());
        for (String name : storedIssuers.keySet().stream().sorted().toList()) {
            if (!keptIssuers.contains(name)) {
                set.rules().stream()
                        .filter(r -> name.equals(r.issuer()))
                        .findFirst()
                        .ifPresent(r -> {
                            throw new DefinitionException.Invalid(
                                    "issuers",
                                    "issuer '" + name + "' is not in the file, but rule '" + r.name()
                                            + "' in the file uses it: add the issuer to the file or drop the rule");
                        });
                writer.deleteIssuer(principal, name, false);
                changes.deleted.add("issuer/" + name);
            }
        }
    }

    private static void requireUniqueNames(DefinitionSet set) {
        requireNoNull("issuers", set.issuers());
        requireNoNull("rules", set.rules());
        requireUnique(
                "issuers", set.issuers().stream().map(IssuerDefinition::name).toList());
        requireUnique("rules", set.rules().stream().map(RuleDefinition::name).toList());
    }

    private static void requireNoNull(String field, List<?> entries) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) == null) {
                throw new DefinitionException.Invalid(
                        field + "[" + i + "]", "the entry is null: give a definition or leave the entry out");
            }
        }
    }

    private static void requireUnique(String field, List<String> names) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i) != null && !seen.add(names.get(i))) {
                throw new DefinitionException.Invalid(
                        field + "[" + i + "].name", "'" + names.get(i) + "' appears twice in the file");
            }
        }
    }

    /** Runs {@code step}, naming the file entry at fault in any validation error. */
    private static <T> T within(String field, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (DefinitionException.Invalid e) {
            throw new DefinitionException.Invalid(field + "." + e.field(), e.getMessage());
        } catch (DefinitionException.Refused e) {
            throw new DefinitionException.Refused(field, e.getMessage(), e.warnings(), e.refused());
        } catch (DefinitionException e) {
            throw new DefinitionException.Invalid(field, e.getMessage());
        }
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
        return items.stream().collect(Collectors.toMap(key, Function.identity()));
    }

    private static final class Changes {
        final List<String> created = new ArrayList<>();
        final List<String> updated = new ArrayList<>();
        final List<String> unchanged = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
    }
}
