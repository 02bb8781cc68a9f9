package dev.ferry.federation;

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
import java.util.Map;
import tools.jackson.core.type.TypeReference;

@Entity
@Table(name = "issuer")
class IssuerEntity {

    @Id
    String name;

    String type;

    @Column(name = "issuer_url")
    String issuerUrl;

    @Column(name = "jwks_uri")
    String jwksUri;

    String jwks;

    @Convert(converter = JsonColumnConverter.StringList.class)
    @Column(name = "accepted_audiences")
    List<String> acceptedAudiences;

    @Convert(converter = JsonColumnConverter.StringList.class)
    List<String> algorithms;

    @Column(name = "clock_skew_seconds")
    int clockSkewSeconds;

    @Column(name = "max_token_age_seconds")
    Integer maxTokenAgeSeconds;

    @Column(name = "replay_protection")
    boolean replayProtection;

    @Convert(converter = StringMapConverter.class)
    @Column(name = "claim_mappings")
    Map<String, String> claimMappings;

    boolean enabled;

    @Version
    long version;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "updated_at")
    Instant updatedAt;

    @Converter
    static class StringMapConverter extends JsonColumnConverter<Map<String, String>> {
        StringMapConverter() {
            super(new TypeReference<>() {});
        }
    }
}
