package dev.ferry.policy;

import dev.ferry.core.ConfigRevision;
import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.core.TrustConfigurationChanged;
import dev.ferry.federation.IssuerService;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
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

    RuleService(
            RuleRepository repository,
            RuleValidator validator,
            RuleGuardrails guardrails,
            IssuerService issuers,
            ConfigRevision revision,
            Clock clock) {
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

    /** The rules of these names that exist, for the in-memory rule book to apply changes. */
    @Transactional(readOnly = true)
    List<RuleDefinition> definitions(List<String> names) {
        return repository.findAllById(names).stream()
                .map(RuleEntity::definition)
                .toList();
    }

    /**
     * Up to {@code limit} rules in name order after the rule named {@code after}, for the in-memory
     * rule book to load them a page at a time: each page's entities are let go with its transaction.
     */
    @Transactional(readOnly = true)
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
