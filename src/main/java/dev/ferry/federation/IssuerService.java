package dev.ferry.federation;

import dev.ferry.core.ConfigRevision;
import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.core.TrustConfigurationChanged;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    public List<Stored<IssuerDefinition>> list() {
        return repository.findAll().stream().map(IssuerEntity::stored).toList();
    }

    @Transactional(readOnly = true)
    public Stored<IssuerDefinition> get(String name) {
        return find(name).stored();
    }

    /** The issuer's type, if the issuer exists: what rules need of it (their issuer must exist; the linter). */
    @Transactional(readOnly = true)
    public Optional<IssuerType> typeOf(String name) {
        return repository.typeOf(name).map(IssuerType::fromJson);
    }

    /** Every issuer's type, by name. */
    @Transactional(readOnly = true)
    public Map<String, IssuerType> types() {
        Map<String, IssuerType> types = new HashMap<>();
        repository.namesAndTypes().forEach(row -> types.put((String) row[0], IssuerType.fromJson((String) row[1])));
        return types;
    }

    @Transactional
    public Stored<IssuerDefinition> create(IssuerDefinition definition) {
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
    public Stored<IssuerDefinition> replace(String name, IssuerDefinition definition, Long expectedVersion) {
        IssuerEntity entity = find(name);
        Stored.requireVersion("issuer", name, entity.version, expectedVersion);
        if (definition.name() != null && !definition.name().equals(name)) {
            throw new DefinitionException.Invalid("name", "name cannot change; it is the issuer's key");
        }
        IssuerDefinition normalized = validator.normalize(definition.withName(name));
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
        revision.bump(TrustConfigurationChanged.ISSUER, name);
    }

    /** The issuers of these names that exist, for the in-memory registry to apply changes. */
    @Transactional(readOnly = true)
    List<IssuerDefinition> definitions(List<String> names) {
        return repository.findAllById(names).stream()
                .map(IssuerEntity::definition)
                .toList();
    }

    /** Every issuer, for the in-memory registry. */
    @Transactional(readOnly = true)
    List<IssuerDefinition> definitions() {
        return repository.findAll().stream().map(IssuerEntity::definition).toList();
    }

    private Stored<IssuerDefinition> save(IssuerEntity entity, IssuerDefinition d) {
        entity.assign(d);
        entity.updatedAt = now();
        IssuerEntity saved = repository.saveAndFlush(entity);
        revision.bump(TrustConfigurationChanged.ISSUER, saved.name);
        return saved.stored();
    }

    private void requireUniqueUrl(IssuerDefinition d) {
        if (repository.existsByIssuerUrlAndNameNot(d.issuerUrl(), d.name())) {
            throw new DefinitionException.Conflict("another issuer already has issuerUrl " + d.issuerUrl());
        }
    }

    private IssuerEntity find(String name) {
        return repository.findById(name).orElseThrow(() -> new DefinitionException.NotFound("issuer", name));
    }

    /** Millisecond precision: what the response shows is what the database keeps. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
