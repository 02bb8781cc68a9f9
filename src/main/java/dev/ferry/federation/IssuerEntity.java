package dev.ferry.federation;

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
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

@Entity
@Table(name = "issuer")
class IssuerEntity {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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

    /** Takes on {@code d}'s fields (its name is the key and never changes). */
    void assign(IssuerDefinition d) {
        type = d.type().jsonName();
        issuerUrl = d.issuerUrl();
        jwksUri = d.jwksUri();
        jwks = d.jwks() == null ? null : d.jwks().toString();
        acceptedAudiences = d.acceptedAudiences();
        algorithms = d.algorithms();
        clockSkewSeconds = d.clockSkewSeconds();
        maxTokenAgeSeconds = d.maxTokenAgeSeconds();
        replayProtection = d.replayProtection();
        claimMappings = d.claimMappings();
        enabled = d.enabled();
    }

    IssuerDefinition definition() {
        return new IssuerDefinition(
                name,
                IssuerType.fromJson(type),
                issuerUrl,
                jwksUri,
                jwks == null ? null : JSON.readTree(jwks),
                acceptedAudiences,
                algorithms,
                clockSkewSeconds,
                maxTokenAgeSeconds,
                replayProtection,
                claimMappings,
                enabled);
    }

    Stored<IssuerDefinition> stored() {
        return new Stored<>(definition(), version, createdAt, updatedAt);
    }

    @Converter
    static class StringMapConverter extends JsonColumnConverter<Map<String, String>> {
        StringMapConverter() {
            super(new TypeReference<>() {});
        }
    }
}
