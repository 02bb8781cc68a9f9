package dev.ferry.policy;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.ConfigRevision;
import dev.ferry.core.TrustConfigurationChanged;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The in-memory copy of every rule, compiled and indexed per issuer: the token endpoint never reads
 * the database for rules. Loaded whole at start-up; then each change is applied on its own (the
 * rules it names read again from the database, put or removed, their issuers' indexes updated in
 * place), at a cost that does not grow with the number of rules; a full reload only when a replica
 * fell too far behind to know what changed ({@link TrustConfigurationChanged#everything()}).
 * Decisions read under a shared lock and changes are applied under an exclusive one, each batch (one
 * transaction's changes, or one poll's) at once, so a decision always sees one consistent set.
 */
@Component
class RuleBook {

    private static final Logger log = LoggerFactory.getLogger(RuleBook.class);
    private static final int PAGE = 1_000;

    private final RuleService rules;
    private final ConfigRevision revision;
    private final Duration defaultTtl;
    private final StampedLock lock = new StampedLock();
    private final Map<String, IssuerPolicy> byIssuer = new HashMap<>();
    /** Which issuer each rule belongs to, to find it again when it changes. */
    private final Map<String, String> issuerOf = new HashMap<>();

    @Autowired
    RuleBook(RuleService rules, ConfigRevision revision, FerryProperties properties) {
        this(rules, revision, properties.token().defaultTtl());
    }

    RuleBook(RuleService rules, ConfigRevision revision, Duration defaultTtl) {
        this.rules = rules;
        this.revision = revision;
        this.defaultTtl = defaultTtl;
    }

    /** {@code decision} on the issuer's rules, under the shared lock: no change is applied meanwhile. */
    <T> T read(String issuer, Function<IssuerPolicy, T> decision) {
        long stamp = lock.readLock();
        try {
            return decision.apply(byIssuer.getOrDefault(issuer, IssuerPolicy.EMPTY));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @PostConstruct
    void load() {
        long loaded = revision.current();
        reloadAll();
        revision.loaded(loaded);
    }

    /**
     * Applies a change. One at a time: each reads the rules it names as they are now, so a later
     * apply never puts back an older state.
     */
    @TransactionalEventListener(fallbackExecution = true)
    synchronized void apply(TrustConfigurationChanged change) {
        try {
            applyOrFail(change);
        } catch (RuntimeException e) {
            log.error(
                    "Could not apply rule changes up to revision {}; every rule is reloaded at the next poll: {}",
                    change.revision(),
                    e.toString());
            revision.reloadEverythingAtNextPoll();
        }
    }

    private void applyOrFail(TrustConfigurationChanged change) {
        if (change.everything()) {
            reloadAll();
            return;
        }
        List<String> names = change.names(TrustConfigurationChanged.RULE);
        if (names.isEmpty()) {
            return;
        }
        List<RuleDefinition> found = rules.definitions(names);
        Map<String, CompiledRule> current =
                found.stream().collect(Collectors.toMap(RuleDefinition::name, this::compile));
        Map<String, String> issuers =
                found.stream().collect(Collectors.toMap(RuleDefinition::name, RuleDefinition::issuer));
        long stamp = lock.writeLock();
        try {
            for (String name : names) {
                String before = issuerOf.remove(name);
                if (before != null) {
                    policyOf(before).remove(name);
                    if (byIssuer.get(before).isEmpty()) {
                        byIssuer.remove(before);
                    }
                }
                CompiledRule rule = current.get(name);
                if (rule != null) {
                    String issuer = issuers.get(name);
                    policyOf(issuer).put(rule);
                    issuerOf.put(name, issuer);
                }
            }
        } finally {
            lock.unlockWrite(stamp);
        }
        log.debug("Applied {} rule changes up to revision {}", names.size(), change.revision());
    }

    /** The issuer's policy, created empty when it has none yet (never the shared empty one). */
    private IssuerPolicy policyOf(String issuer) {
        return byIssuer.computeIfAbsent(issuer, i -> new IssuerPolicy(List.of()));
    }

    /**
     * Reads every rule, {@value #PAGE} at a time (so only one page of entities is held at once), and
     * swaps the whole book in.
     */
    private synchronized void reloadAll() {
        long start = System.nanoTime();
        Map<String, List<CompiledRule>> grouped = new HashMap<>();
        Map<String, String> issuers = new HashMap<>();
        List<RuleDefinition> page = rules.definitionsAfter("", PAGE);
        while (!page.isEmpty()) {
            for (RuleDefinition d : page) {
                grouped.computeIfAbsent(d.issuer(), i -> new ArrayList<>()).add(compile(d));
                issuers.put(d.name(), d.issuer());
            }
            page = page.size() < PAGE
                    ? List.of()
                    : rules.definitionsAfter(page.get(page.size() - 1).name(), PAGE);
        }
        Map<String, IssuerPolicy> policies = new HashMap<>();
        grouped.forEach((issuer, compiled) -> policies.put(issuer, new IssuerPolicy(compiled)));
        long stamp = lock.writeLock();
        try {
            byIssuer.clear();
            byIssuer.putAll(policies);
            issuerOf.clear();
            issuerOf.putAll(issuers);
        } finally {
            lock.unlockWrite(stamp);
        }
        log.info(
                "Loaded {} rules of {} issuers in {} ms",
                issuers.size(),
                policies.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private CompiledRule compile(RuleDefinition definition) {
        return CompiledRule.compile(shared(definition), defaultTtl);
    }

    /**
     * The definition with the texts many rules repeat (claim names, values, targets, scopes) interned:
     * 100,000 rules that pin a few claims to values of 10,000 owners, for a handful of targets and
     * scopes, then hold each such text once instead of once per rule (docs/performance.md, round 6).
     * The JVM's string table lets go of a text once no rule holds it.
     */
    private static RuleDefinition shared(RuleDefinition d) {
        List<Condition> conditions = d.conditions().stream()
                .map(c -> new Condition(
                        intern(c.claim()),
                        c.operator(),
                        intern(c.value()),
                        c.values() == null
                                ? null
                                : c.values().stream().map(RuleBook::intern).toList()))
                .toList();
        return new RuleDefinition(
                d.name(),
                intern(d.issuer()),
                null,
                d.effect(),
                conditions,
                d.targets().stream().map(RuleBook::intern).toList(),
                d.scopes().stream().map(RuleBook::intern).toList(),
                d.ttlSeconds(),
                d.enabled(),
                d.requireDpop(),
                d.acknowledged());
    }

    private static String intern(String text) {
        return text == null ? null : text.intern();
    }
}
