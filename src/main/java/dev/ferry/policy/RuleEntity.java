package dev.ferry.policy;

import dev.ferry.definition.JsonColumnConverter;
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

    @Version
    long version;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "updated_at")
    Instant updatedAt;

    @Converter
    static class ConditionsConverter extends JsonColumnConverter<List<Condition>> {
        ConditionsConverter() {
            super(new TypeReference<>() {});
        }
    }
}
