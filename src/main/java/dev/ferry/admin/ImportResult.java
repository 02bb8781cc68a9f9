package dev.ferry.admin;

import java.util.List;

/**
 * What an import did, or would do ({@code dryRun}): each entry is {@code issuer/<name>} or {@code rule/<name>}.
 *
 * @param deleted what {@code prune=true} removed because the file lacks it
 */
record ImportResult(
        boolean dryRun, List<String> created, List<String> updated, List<String> unchanged, List<String> deleted) {}
