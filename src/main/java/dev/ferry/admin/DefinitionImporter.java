package dev.ferry.admin;

import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import dev.ferry.federation.IssuerType;
import dev.ferry.impact.Proposal;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleService;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAspectSupport;

/**
 * Applies a whole definitions file in one transaction: every definition is validated exactly as the
 * REST API validates it, and either all changes commit or none do. A dry run does the same work and
 * rolls back, so its answer is exactly what a real run would do.
 *
 * <p>The file's rules are handled {@value #CHUNK} at a time as they are read (the file streamed by
 * {@link DefinitionFormats#read(java.io.InputStream, boolean, DefinitionFormats.Reader)}): each chunk is
 * validated, compared with the stored rules of those names (one query), and its new rules are inserted
 * with their audit events and change-log entries in statement batches. So an import of 100,000 rules
 * holds one chunk in memory, not the file, and costs a few statements per chunk, not per rule.
 */
@Service
class DefinitionImporter {

    /** Rules validated, compared and created together. */
    static final int CHUNK = 500;

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

    /** Applies the file {@code source} hands to its reader, entry by entry. */
    @Transactional
    public ImportResult apply(
            String principal, Consumer<DefinitionFormats.Reader> source, boolean prune, boolean dryRun) {
        Changes changes = applyAll(principal, source, prune);
        if (dryRun) {
            TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
        }
        return changes.result(dryRun);
    }

    /**
     * A dry run that also answers every issuer and rule as the import would leave them, read inside
     * its transaction before it rolls back: what an impact replay decides with (all of them in memory,
     * as the replay's private rule book needs them).
     */
    @Transactional
    public Planned plan(String principal, Consumer<DefinitionFormats.Reader> source, boolean prune) {
        Changes changes = applyAll(principal, source, prune);
        List<RuleDefinition> after =
                rules.list().stream().map(Stored::definition).toList();
        List<IssuerDefinition> issuersAfter =
                issuers.list().stream().map(Stored::definition).toList();
        List<String> proposed = new ArrayList<>();
        changes.created.stream().filter(e -> e.startsWith("rule/")).forEach(e -> proposed.add(e.substring(5)));
        changes.updated.stream().filter(e -> e.startsWith("rule/")).forEach(e -> proposed.add(e.substring(5)));
        TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
        return new Planned(changes.result(true), Proposal.of(after, issuersAfter, proposed));
    }

    /** A dry run's answer, and the definitions it would leave. */
    record Planned(ImportResult result, Proposal proposal) {}

    private Changes applyAll(String principal, Consumer<DefinitionFormats.Reader> source, boolean prune) {
        jdbc.queryForObject("select name from ferry_lock where name = 'definitions' for update", String.class);
        Run run = new Run(principal);
        source.accept(run);
        run.finish();
        if (prune) {
            run.prune();
        }
        return run.changes;
    }

    /** One import: what the file held so far, and what it changed. */
    private final class Run implements DefinitionFormats.Reader {
        private final String principal;
        private final Changes changes = new Changes();
        private final Set<String> ruleNames = new HashSet<>();
        private final Set<String> issuerNames = new HashSet<>();
        /** The first rule of the file naming each issuer: why that issuer cannot be pruned. */
        private final Map<String, String> firstRuleOf = new HashMap<>();

        private final Map<String, Optional<IssuerType>> issuerTypes = new HashMap<>();
        private Map<String, Stored<IssuerDefinition>> storedIssuers;
        /** Rules the file lists before its issuers: held until the issuers are applied. */
        private List<Entry> early = new ArrayList<>();

        private List<Entry> chunk = new ArrayList<>();

        Run(String principal) {
            this.principal = principal;
        }

        @Override
        public void issuers(List<IssuerDefinition> given) {
            requireNoNull("issuers", given);
            requireUnique("issuers", given.stream().map(IssuerDefinition::name).toList());
            storedIssuers = index(issuers.list(), s -> s.definition().name());
            for (int i = 0; i < given.size(); i++) {
                applyIssuer("issuers[" + i + "]", given.get(i));
                issuerNames.add(given.get(i).name());
            }
            List<Entry> held = early;
            early = null;
            held.forEach(this::add);
        }

        @Override
        public void rule(int index, RuleDefinition rule) {
            String field = "rules[" + index + "]";
            if (rule == null) {
                throw new DefinitionException.Invalid(
                        field, "the entry is null: give a definition or leave the entry out");
            }
            if (rule.name() != null && !ruleNames.add(rule.name())) {
                throw new DefinitionException.Invalid(
                        field + ".name", "'" + rule.name() + "' appears twice in the file");
            }
            if (rule.issuer() != null && rule.name() != null) {
                firstRuleOf.putIfAbsent(rule.issuer(), rule.name());
            }
            Entry entry = new Entry(field, rule);
            if (early != null) {
                early.add(entry);
            } else {
                add(entry);
            }
        }

        private void add(Entry entry) {
            chunk.add(entry);
            if (chunk.size() == CHUNK) {
                applyChunk();
            }
        }

        /** The end of the file: a file without issuers has an empty list of them. */
        void finish() {
            if (early != null) {
                issuers(List.of());
            }
            applyChunk();
        }

        private void applyIssuer(String field, IssuerDefinition given) {
            IssuerDefinition normalized = within(field, () -> issuers.normalize(given));
            Stored<IssuerDefinition> current = storedIssuers.get(normalized.name());
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

        /**
         * Validates the chunk's rules, reads the stored rules of those names in one query, creates the
         * new ones in statement batches and replaces the changed ones one by one.
         */
        private void applyChunk() {
            if (chunk.isEmpty()) {
                return;
            }
            List<RuleDefinition> normalized = new ArrayList<>(chunk.size());
            for (Entry entry : chunk) {
                normalized.add(within(entry.field(), () -> rules.normalize(entry.rule(), this::issuerExists)));
            }
            Map<String, Stored<RuleDefinition>> stored =
                    rules.stored(normalized.stream().map(RuleDefinition::name).toList());
            List<RuleDefinition> created = new ArrayList<>();
            for (int i = 0; i < normalized.size(); i++) {
                RuleDefinition rule = normalized.get(i);
                Stored<RuleDefinition> current = stored.get(rule.name());
                String entry = "rule/" + rule.name();
                if (current == null) {
                    within(chunk.get(i).field(), () -> {
                        rules.requireAllowed(rule, issuerType(rule.issuer()));
                        return rule;
                    });
                    created.add(rule);
                    changes.created.add(entry);
                } else if (!current.definition().equals(rule)) {
                    within(chunk.get(i).field(), () -> writer.replaceRule(principal, rule.name(), rule, null, false));
                    changes.updated.add(entry);
                } else {
                    changes.unchanged.add(entry);
                }
            }
            writer.createRules(principal, created);
            // Each write is flushed at once, and each flush dirty-checks every entity the persistence
            // context holds: left to grow, an import of n rules would cost O(n²).
            entityManager.clear();
            chunk = new ArrayList<>();
        }

        /** Whether the issuer is stored, asked of the database once per issuer. */
        private boolean issuerExists(String name) {
            return issuerTypes.computeIfAbsent(name, issuers::typeOf).isPresent();
        }

        private IssuerType issuerType(String name) {
            return issuerTypes.computeIfAbsent(name, issuers::typeOf).orElse(null);
        }

        /** Deletes the rules, then the issuers, that are stored but not in the file. */
        void prune() {
            int deleted = 0;
            for (String name : rules.names()) {
                if (!ruleNames.contains(name)) {
                    writer.deleteRule(principal, name);
                    changes.deleted.add("rule/" + name);
                    if (++deleted % CHUNK == 0) {
                        entityManager.clear();
                    }
                }
            }
            for (String name : storedIssuers.keySet().stream().sorted().toList()) {
                if (!issuerNames.contains(name)) {
                    String rule = firstRuleOf.get(name);
                    if (rule != null) {
                        throw new DefinitionException.Invalid(
                                "issuers",
                                "issuer '" + name + "' is not in the file, but rule '" + rule
                                        + "' in the file uses it: add the issuer to the file or drop the rule");
                    }
                    writer.deleteIssuer(principal, name, false);
                    changes.deleted.add("issuer/" + name);
                }
            }
        }
    }

    /** A rule of the file, with where it is in the file. */
    private record Entry(String field, RuleDefinition rule) {}

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

        ImportResult result(boolean dryRun) {
            return new ImportResult(dryRun, created, updated, unchanged, deleted, null);
        }
    }
}
