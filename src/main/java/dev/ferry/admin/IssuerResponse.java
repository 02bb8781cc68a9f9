package dev.ferry.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.impact.ImpactReport;
import java.time.Instant;

/**
 * An issuer as the admin API shows it: its definition with every default filled in (each field of
 * {@link IssuerDefinition}, written once), and what the server adds.
 *
 * @param impact for a dry run with {@code impact}: what the change would have done to audited exchanges
 */
record IssuerResponse(
        @JsonUnwrapped IssuerDefinition definition,
        long version,
        Instant createdAt,
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) ImpactReport impact) {

    static IssuerResponse of(Stored<IssuerDefinition> stored) {
        return new IssuerResponse(stored.definition(), stored.version(), stored.createdAt(), stored.updatedAt(), null);
    }

    IssuerResponse withImpact(ImpactReport impact) {
        return new IssuerResponse(definition, version, createdAt, updatedAt, impact);
    }
}
