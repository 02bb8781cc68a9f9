package dev.ferry.policy;

import dev.ferry.core.ConfigRevision;
import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.core.TrustConfigurationChanged;
import dev.ferry.federation.IssuerService;
import dev.ferry.federation.IssuerType;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores and reads rule definitions. Every write bumps the configuration revision, and none stores what
 * {@code ferry.lint.refuse} refuses ({@link RuleGuardrails}).
 */
@Service
public class RuleService {

    private final RuleRepository repository;
    private final RuleValidator validator;
    private final RuleGuardrails guardrails;
    private final IssuerService issuers;
    private final ConfigRevision revision;
    private final Clock clock;
    private final EntityManager entityManager;

    RuleService(
            RuleRepository repository,
            RuleValidator validator,
            RuleGuardrails guardrails,
            IssuerService issuers,
            ConfigRevision revision,
            Clock clock,
            EntityManager entityManager) {
        this.entityManager = entityManager;
        this.repository = repository;
        this.validator = validator;
        this.guardrails = guardrails;
        this.issuers = issuers;
        this.revision = revision;
        this.clock = clock;
    }

    /** The definition as it would be stored: validated (its issuer must exist), defaults filled in. */
    @Transactional(readOnly = true)
    public RuleDefinition normalize(RuleDefinition definition) {
        return validator.normalize(definition);
    }

    /**
     * As {@link #normalize(RuleDefinition)}, with {@code issuerExists} answering whether the rule's
     * issuer is stored: an import asks the database once per issuer, not once per rule.
     */
    public RuleDefinition normalize(RuleDefinition definition, Predicate<String> issuerExists) {
        return validator.normalize(definition, issuerExists);
    }

    @Transactional(readOnly = true)
    public List<Stored<RuleDefinition>> list() {
        return repository.findAll().stream().map(RuleEntity::stored).toList();
    }

    @Transactional(readOnly = true)
    public Stored<RuleDefinition> get(String name) {
        return find(name).stored();
    }

    @Transactional
    public Stored<RuleDefinition> create(RuleDefinition definition) {
        RuleDefinition normalized = validator.normalize(definition);
        if (repository.existsById(normalized.name())) {
            throw new DefinitionException.Conflict("rule '" + normalized.name() + "' already exists");
        }
        RuleEntity entity = new RuleEntity();
        entity.name = normalized.name();
        entity.createdAt = now();
        return save(entity, normalized);
    }

    /**
     * Creates rules already {@linkplain #normalize normalized} whose names the caller has checked are
     * free, inside the caller's transaction (an import's): the rows are inserted in statement batches
     * and the changes logged in one, instead of a round of statements per rule. A name taken
     * meanwhile fails the insert, and with it the caller's transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<Stored<RuleDefinition>> createAll(List<RuleDefinition> normalized) {
        Map<String, IssuerType> types = new HashMap<>();
        for (RuleDefinition d : normalized) {
            requireAllowed(
                    d, types.computeIfAbsent(d.issuer(), i -> issuers.typeOf(i).orElse(null)));
        }
        Instant now = now();
        List<RuleEntity> entities = new ArrayList<>(normalized.size());
        for (RuleDefinition d : normalized) {
            RuleEntity entity = new RuleEntity();
            entity.name = d.name();
            entity.createdAt = now;
            entity.assign(d);
            entity.updatedAt = now;
            entityManager.persist(entity);
            entities.add(entity);
        }
        entityManager.flush();
        revision.bumpAll(
                TrustConfigurationChanged.RULE,
                entities.stream().map(e -> e.name).toList());
        return entities.stream().map(RuleEntity::stored).toList();
    }

    /**
     * Fails when {@code ferry.lint.refuse} refuses the rule as it is ({@link RuleGuardrails}): an import
     * asks before it creates a chunk of rules, to name the entry at fault; every write asks again.
     *
     * @param issuerType the type of the rule's issuer, null if unknown
     * @throws DefinitionException.Refused with every warning and the refused codes
     */
    public void requireAllowed(RuleDefinition normalized, IssuerType issuerType) {
        guardrails.require(normalized, issuerType);
    }

    /** The stored rules of these names (those that exist), by name. */
    @Transactional(readOnly = true)
    public Map<String, Stored<RuleDefinition>> stored(Collection<String> names) {
        Map<String, Stored<RuleDefinition>> found = new HashMap<>();
        repository.findAllById(names).forEach(e -> found.put(e.name, e.stored()));
        return found;
    }

    /** Every rule's name, in name order: what an import with {@code prune} compares its file with. */
    @Transactional(readOnly = true)
    public List<String> names() {
        return repository.names();
    }

    @Transactional
    public Stored<RuleDefinition> replace(String name, RuleDefinition definition, Long expectedVersion) {
        RuleEntity entity = find(name);
        Stored.requireVersion("rule", name, entity.version, expectedVersion);
        if (definition.name() != null && !definition.name().equals(name)) {
            throw new DefinitionException.Invalid("name", "name cannot change; it is the rule's key");
        }
        return save(entity, validator.normalize(definition.withName(name)));
    }

    @Transactional
    public void delete(String name) {
        repository.delete(find(name));
        revision.bump(TrustConfigurationChanged.RULE, name);
    }

    /**
     * Up to {@code limit} rules in name order, after the rule named {@code after} (null: from the
     * first), of {@code issuer} only unless it is null.
     */
    @Transactional(readOnly = true)
    public List<Stored<RuleDefinition>> page(String issuer, String after, int limit) {
        String from = after == null ? "" : after;
        List<RuleEntity> found = issuer == null
                ? repository.findByNameGreaterThanOrderByNameAsc(from, Limit.of(limit))
                : repository.findByIssuerAndNameGreaterThanOrderByNameAsc(issuer, from, Limit.of(limit));
        return found.stream().map(RuleEntity::stored).toList();
    }

    /** The rules of one issuer, for operators. */
    @Transactional(readOnly = true)
    public List<Stored<RuleDefinition>> ofIssuer(String issuer) {
        return repository.findByIssuer(issuer).stream().map(RuleEntity::stored).toList();
    }

    /**
     * The rules of these names that exist, for the in-memory rule book to apply changes. In a
     * transaction of its own: the rule book applies a change right after the writing transaction
     * commits, when that transaction's persistence context is still bound to the thread, and must not
     * add entities to it.
     */
    @Transactional(readOnly = true, propagation = Propagation.REQUIRES_NEW)
    List<RuleDefinition> definitions(List<String> names) {
        return repository.findAllById(names).stream()
                .map(RuleEntity::definition)
                .toList();
    }

    /**
     * Up to {@code limit} rules in name order after the rule named {@code after}, for the in-memory
     * rule book to load them a page at a time: each page's entities are let go with its transaction
     * (its own, also when the reload follows an import's commit: joined to the import's persistence
     * context, a reload of 100,000 rules would hold every entity until the end).
     */
    @Transactional(readOnly = true, propagation = Propagation.REQUIRES_NEW)
    List<RuleDefinition> definitionsAfter(String after, int limit) {
        return repository.findByNameGreaterThanOrderByNameAsc(after, Limit.of(limit)).stream()
                .map(RuleEntity::definition)
                .toList();
    }

    /** Every write passes here: what {@code ferry.lint.refuse} refuses is not stored. */
    private Stored<RuleDefinition> save(RuleEntity entity, RuleDefinition d) {
        guardrails.require(d, issuers.typeOf(d.issuer()).orElse(null));
        entity.assign(d);
        entity.updatedAt = now();
        RuleEntity saved = repository.saveAndFlush(entity);
        revision.bump(TrustConfigurationChanged.RULE, saved.name);
        return saved.stored();
    }

    private RuleEntity find(String name) {
        return repository.findById(name).orElseThrow(() -> new DefinitionException.NotFound("rule", name));
    }

    /** Millisecond precision: what the response shows is what the database keeps. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
