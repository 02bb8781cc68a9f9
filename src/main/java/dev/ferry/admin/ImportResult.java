package dev.ferry.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.impact.ImpactReport;
import java.util.List;

/**
 * What an import did, or would do ({@code dryRun}): each entry is {@code issuer/<name>} or {@code rule/<name>}.
 *
 * @param deleted what {@code prune=true} removed because the file lacks it
 * @param impact with {@code impact}: what the file would have done to the audited exchanges of the window
 */
record ImportResult(
        boolean dryRun,
        List<String> created,
        List<String> updated,
        List<String> unchanged,
        List<String> deleted,
        @JsonInclude(JsonInclude.Include.NON_NULL) ImpactReport impact) {

    ImportResult withImpact(ImpactReport impact) {
        return new ImportResult(dryRun, created, updated, unchanged, deleted, impact);
    }
}
