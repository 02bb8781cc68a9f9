package dev.ferry.policy;

import dev.ferry.definition.ConfigRevision;
import dev.ferry.definition.DefinitionException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Stores and reads rule definitions. Every write bumps the configuration revision. */
@Service
public class RuleService {

    private final RuleRepository repository;
    private final RuleValidator validator;
    private final ConfigRevision revision;
    private final Clock clock;

    RuleService(RuleRepository repository, RuleValidator validator, ConfigRevision revision, Clock clock) {
        this.repository = repository;
        this.validator = validator;
        this.revision = revision;
        this.clock = clock;
    }

    /** The definition as it would be stored: validated (its issuer must exist), defaults filled in. */
    @Transactional(readOnly = true)
    public RuleDefinition normalize(RuleDefinition definition) {
        return validator.normalize(definition);
    }

    @Transactional(readOnly = true)
    public List<StoredRule> list() {
        return repository.findAll().stream().map(RuleService::toStored).toList();
    }

    @Transactional(readOnly = true)
    public StoredRule get(String name) {
        return toStored(find(name));
    }

    @Transactional
    public StoredRule create(RuleDefinition definition) {
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
    public StoredRule replace(String name, RuleDefinition definition, Long expectedVersion) {
        RuleEntity entity = find(name);
        requireVersion(entity.version, expectedVersion, name);
        if (definition.name() != null && !definition.name().equals(name)) {
            throw new DefinitionException.Invalid("name", "name cannot change; it is the rule's key");
        }
        RuleDefinition named = new RuleDefinition(
                name,
                definition.issuer(),
                definition.description(),
                definition.effect(),
                definition.conditions(),
                definition.targets(),
                definition.scopes(),
                definition.ttlSeconds(),
                definition.enabled());
        return save(entity, validator.normalize(named));
    }

    @Transactional
    public void delete(String name) {
        repository.delete(find(name));
        revision.bump();
    }

    /** The rules of one issuer, for operators. */
    @Transactional(readOnly = true)
    public List<StoredRule> ofIssuer(String issuer) {
        return repository.findByIssuer(issuer).stream()
                .map(RuleService::toStored)
                .toList();
    }

    /** Every rule, for the in-memory rule book. */
    @Transactional(readOnly = true)
    List<RuleDefinition> definitions() {
        return repository.findAll().stream().map(RuleService::toDefinition).toList();
    }

    private StoredRule save(RuleEntity entity, RuleDefinition d) {
        entity.issuer = d.issuer();
        entity.description = d.description();
        entity.effect = d.effect().jsonName();
        entity.conditions = d.conditions();
        entity.targets = d.targets();
        entity.scopes = d.scopes();
        entity.ttlSeconds = d.ttlSeconds();
        entity.enabled = d.enabled();
        entity.updatedAt = now();
        RuleEntity saved = repository.saveAndFlush(entity);
        revision.bump();
        return toStored(saved);
    }

    private RuleEntity find(String name) {
        return repository.findById(name).orElseThrow(() -> new DefinitionException.NotFound("rule", name));
    }

    private static void requireVersion(long actual, Long expected, String name) {
        if (expected != null && expected != actual) {
            throw new DefinitionException.PreconditionFailed("rule", name, expected, actual);
        }
    }

    /** Millisecond precision: what the response shows is what the database keeps. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static StoredRule toStored(RuleEntity e) {
        return new StoredRule(toDefinition(e), e.version, e.createdAt, e.updatedAt);
    }

    private static RuleDefinition toDefinition(RuleEntity e) {
        return new RuleDefinition(
                e.name,
                e.issuer,
                e.description,
                Effect.fromJson(e.effect),
                e.conditions,
                e.targets,
                e.scopes,
                e.ttlSeconds,
                e.enabled);
    }
}
