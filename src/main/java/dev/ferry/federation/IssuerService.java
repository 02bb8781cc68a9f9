package dev.ferry.federation;

import dev.ferry.definition.ConfigRevision;
import dev.ferry.definition.DefinitionException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Stores and reads issuer definitions. Every write bumps the configuration revision. */
@Service
public class IssuerService {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final IssuerRepository repository;
    private final IssuerValidator validator;
    private final ConfigRevision revision;
    private final Clock clock;

    IssuerService(IssuerRepository repository, IssuerValidator validator, ConfigRevision revision, Clock clock) {
        this.repository = repository;
        this.validator = validator;
        this.revision = revision;
        this.clock = clock;
    }

    /** The definition as it would be stored: validated, defaults filled in. */
    public IssuerDefinition normalize(IssuerDefinition definition) {
        return validator.normalize(definition);
    }

    @Transactional(readOnly = true)
    public List<StoredIssuer> list() {
        return repository.findAll().stream().map(IssuerService::toStored).toList();
    }

    @Transactional(readOnly = true)
    public StoredIssuer get(String name) {
        return toStored(find(name));
    }

    @Transactional
    public StoredIssuer create(IssuerDefinition definition) {
        IssuerDefinition normalized = validator.normalize(definition);
        if (repository.existsById(normalized.name())) {
            throw new DefinitionException.Conflict("issuer '" + normalized.name() + "' already exists");
        }
        requireUniqueUrl(normalized);
        IssuerEntity entity = new IssuerEntity();
        entity.name = normalized.name();
        entity.createdAt = now();
        return save(entity, normalized);
    }

    @Transactional
    public StoredIssuer replace(String name, IssuerDefinition definition, Long expectedVersion) {
        IssuerEntity entity = find(name);
        requireVersion(entity.version, expectedVersion, name);
        if (definition.name() != null && !definition.name().equals(name)) {
            throw new DefinitionException.Invalid("name", "name cannot change; it is the issuer's key");
        }
        IssuerDefinition normalized = validator.normalize(withName(definition, name));
        requireUniqueUrl(normalized);
        return save(entity, normalized);
    }

    @Transactional
    public void delete(String name) {
        repository.delete(find(name));
        try {
            repository.flush();
        } catch (DataIntegrityViolationException e) {
            throw new DefinitionException.Conflict("issuer '" + name + "' still has rules; delete them first");
        }
        revision.bump();
    }

    /** Every issuer, for the in-memory registry. */
    @Transactional(readOnly = true)
    List<IssuerDefinition> definitions() {
        return repository.findAll().stream().map(IssuerService::toDefinition).toList();
    }

    private StoredIssuer save(IssuerEntity entity, IssuerDefinition d) {
        entity.type = d.type().jsonName();
        entity.issuerUrl = d.issuerUrl();
        entity.jwksUri = d.jwksUri();
        entity.jwks = d.jwks() == null ? null : d.jwks().toString();
        entity.acceptedAudiences = d.acceptedAudiences();
        entity.algorithms = d.algorithms();
        entity.clockSkewSeconds = d.clockSkewSeconds();
        entity.maxTokenAgeSeconds = d.maxTokenAgeSeconds();
        entity.replayProtection = d.replayProtection();
        entity.claimMappings = d.claimMappings();
        entity.enabled = d.enabled();
        entity.updatedAt = now();
        IssuerEntity saved = repository.saveAndFlush(entity);
        revision.bump();
        return toStored(saved);
    }

    private void requireUniqueUrl(IssuerDefinition d) {
        if (repository.existsByIssuerUrlAndNameNot(d.issuerUrl(), d.name())) {
            throw new DefinitionException.Conflict("another issuer already has issuerUrl " + d.issuerUrl());
        }
    }

    private IssuerEntity find(String name) {
        return repository.findById(name).orElseThrow(() -> new DefinitionException.NotFound("issuer", name));
    }

    private static IssuerDefinition withName(IssuerDefinition d, String name) {
        return new IssuerDefinition(
                name,
                d.type(),
                d.issuerUrl(),
                d.jwksUri(),
                d.jwks(),
                d.acceptedAudiences(),
                d.algorithms(),
                d.clockSkewSeconds(),
                d.maxTokenAgeSeconds(),
                d.replayProtection(),
                d.claimMappings(),
                d.enabled());
    }

    private static void requireVersion(long actual, Long expected, String name) {
        if (expected != null && expected != actual) {
            throw new DefinitionException.PreconditionFailed("issuer", name, expected, actual);
        }
    }

    /** Millisecond precision: what the response shows is what the database keeps. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static StoredIssuer toStored(IssuerEntity e) {
        return new StoredIssuer(toDefinition(e), e.version, e.createdAt, e.updatedAt);
    }

    private static IssuerDefinition toDefinition(IssuerEntity e) {
        return new IssuerDefinition(
                e.name,
                IssuerType.fromJson(e.type),
                e.issuerUrl,
                e.jwksUri,
                e.jwks == null ? null : JSON.readTree(e.jwks),
                e.acceptedAudiences,
                e.algorithms,
                e.clockSkewSeconds,
                e.maxTokenAgeSeconds,
                e.replayProtection,
                e.claimMappings,
                e.enabled);
    }
}
