package dev.ferry.admin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import java.time.Instant;

/**
 * An issuer as the admin API shows it: its definition with every default filled in (each field of
 * {@link IssuerDefinition}, written once), and what the server adds.
 */
record IssuerResponse(@JsonUnwrapped IssuerDefinition definition, long version, Instant createdAt, Instant updatedAt) {

    static IssuerResponse of(Stored<IssuerDefinition> stored) {
        return new IssuerResponse(stored.definition(), stored.version(), stored.createdAt(), stored.updatedAt());
    }
}
