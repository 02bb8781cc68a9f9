package dev.ferry.federation;

import java.time.Instant;

/** An issuer definition as stored, with its optimistic-locking version and timestamps. */
public record StoredIssuer(IssuerDefinition definition, long version, Instant createdAt, Instant updatedAt) {}
