package dev.ferry.policy;

import java.time.Instant;

/** A rule definition as stored, with its optimistic-locking version and timestamps. */
public record StoredRule(RuleDefinition definition, long version, Instant createdAt, Instant updatedAt) {}
