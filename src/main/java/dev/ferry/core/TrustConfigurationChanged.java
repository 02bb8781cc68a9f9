package dev.ferry.core;

/**
 * Issuers or rules changed, here or on another replica: in-memory copies must be rebuilt.
 *
 * @param revision the database's configuration revision after the change
 */
public record TrustConfigurationChanged(long revision) {}
