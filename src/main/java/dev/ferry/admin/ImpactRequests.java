package dev.ferry.admin;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException;
import dev.ferry.impact.ImpactReplay;
import dev.ferry.impact.ImpactReport;
import dev.ferry.impact.Proposal;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The {@code impact} and {@code impactBudget} parameters of a dry run: the audit window to replay
 * (ISO 8601, at most {@code ferry.audit.retention}; {@code impact=true} for the default window) and
 * how long the replay may take (at most {@code ferry.audit.impact.max-budget}).
 */
@Component
class ImpactRequests {

    private final ImpactReplay replay;
    private final FerryProperties.Audit audit;

    ImpactRequests(ImpactReplay replay, FerryProperties properties) {
        this.replay = replay;
        this.audit = properties.audit();
    }

    /** True when the request asks for impact; a 400 when it does without {@code dryRun=true}. */
    boolean asked(String impact, String impactBudget, boolean dryRun) {
        boolean asked = present(impact) && !"false".equalsIgnoreCase(impact.strip());
        if (!asked && present(impactBudget)) {
            throw new DefinitionException.Invalid("impactBudget", "impactBudget goes with impact=P7D (a window)");
        }
        if (asked && !dryRun) {
            throw new DefinitionException.Invalid(
                    "impact", "impact is answered by a dry run only: add dryRun=true, then apply without impact");
        }
        return asked;
    }

    /** Checks both parameters, then replays the window against {@code proposal}. */
    ImpactReport replay(String impact, String impactBudget, Supplier<Proposal> proposal) {
        Duration window = "true".equalsIgnoreCase(impact.strip())
                ? audit.impact().defaultWindow()
                : Windows.parse(
                        "impact", impact, audit.impact().defaultWindow(), audit.retention(), "ferry.audit.retention");
        Duration budget = Windows.parse(
                "impactBudget",
                impactBudget,
                audit.impact().budget(),
                audit.impact().maxBudget(),
                "ferry.audit.impact.max-budget");
        return replay.replay(proposal.get(), window, budget);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
