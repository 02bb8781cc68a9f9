package dev.ferry.policy;

import dev.ferry.core.JsonColumnConverter;
import dev.ferry.core.Stored;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import tools.jackson.core.type.TypeReference;

@Entity
@Table(name = "trust_rule")
class RuleEntity {

    @Id
    String name;

    String issuer;

    String description;

    String effect;

    @Convert(converter = ConditionsConverter.class)
    List<Condition> conditions;

    @Convert(converter = JsonColumnConverter.StringList.class)
    List<String> targets;

    @Convert(converter = JsonColumnConverter.StringList.class)
    List<String> scopes;

    @Column(name = "ttl_seconds")
    Integer ttlSeconds;

    boolean enabled;

    @Column(name = "require_dpop")
    boolean requireDpop;

    @Convert(converter = AcknowledgementsConverter.class)
    List<Acknowledgement> acknowledged;

    @Version
    long version;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "updated_at")
    Instant updatedAt;

    /** Takes on {@code d}'s fields (its name is the key and never changes). */
    void assign(RuleDefinition d) {
        issuer = d.issuer();
        description = d.description();
        effect = d.effect().jsonName();
        conditions = d.conditions();
        targets = d.targets();
        scopes = d.scopes();
        ttlSeconds = d.ttlSeconds();
        enabled = d.enabled();
        requireDpop = Boolean.TRUE.equals(d.requireDpop());
        acknowledged = d.acknowledged() == null || d.acknowledged().isEmpty() ? null : d.acknowledged();
    }

    RuleDefinition definition() {
        return new RuleDefinition(
                name,
                issuer,
                description,
                Effect.fromJson(effect),
                conditions,
                targets,
                scopes,
                ttlSeconds,
                enabled,
                requireDpop,
                acknowledged == null ? List.of() : acknowledged);
    }

    Stored<RuleDefinition> stored() {
        return new Stored<>(definition(), version, createdAt, updatedAt);
    }

    @Converter
    static class AcknowledgementsConverter extends JsonColumnConverter<List<Acknowledgement>> {
        AcknowledgementsConverter() {
            super(new TypeReference<>() {});
        }
    }

    @Converter
    static class ConditionsConverter extends JsonColumnConverter<List<Condition>> {
        ConditionsConverter() {
            super(new TypeReference<>() {});
        }
    }
}
