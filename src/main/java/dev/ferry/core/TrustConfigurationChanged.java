package dev.ferry.core;

import java.util.List;

/**
 * Issuers or rules changed, here or on another replica: in-memory copies must follow.
 *
 * @param revision the configuration revision after the change
 * @param changes which definitions changed, in revision order; each to be read again from the database
 * @param everything true when the changes are not known (a replica's first load, or one that fell
 *     further behind than the change log reaches): reload every definition
 */
public record TrustConfigurationChanged(long revision, List<Change> changes, boolean everything) {

    /** The definitions a revision touched: an {@code issuer} or a {@code rule}, by name. */
    public record Change(long revision, String kind, String name) {}

    public static final String ISSUER = "issuer";
    public static final String RULE = "rule";

    static TrustConfigurationChanged all(long revision) {
        return new TrustConfigurationChanged(revision, List.of(), true);
    }

    /** The names of the definitions of {@code kind} that changed. */
    public List<String> names(String kind) {
        return changes.stream()
                .filter(c -> c.kind().equals(kind))
                .map(Change::name)
                .distinct()
                .toList();
    }
}
