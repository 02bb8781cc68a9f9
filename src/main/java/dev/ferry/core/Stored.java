package dev.ferry.core;

import java.time.Instant;

/**
 * A definition as stored, with what the server adds: its optimistic-locking version (the {@code ETag},
 * RFC 9110 §8.8.3) and timestamps.
 *
 * @param <D> the definition's type
 */
public record Stored<D>(D definition, long version, Instant createdAt, Instant updatedAt) {

    /** {@code expected} (an {@code If-Match}), when given, must be the stored version: else 412. */
    public static void requireVersion(String kind, String name, long actual, Long expected) {
        if (expected != null && expected != actual) {
            throw new DefinitionException.PreconditionFailed(kind, name, expected, actual);
        }
    }
}
