package dev.ferry.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.ferry.audit.RuleUsage;
import dev.ferry.core.Stored;
import dev.ferry.impact.ImpactReport;
import dev.ferry.policy.LintWarning;
import dev.ferry.policy.RuleDefinition;
import java.time.Instant;
import java.util.List;

/**
 * A rule as the admin API shows it: its definition with defaults filled in (each field of {@link
 * RuleDefinition}, written once), what the server adds, and its linter warnings.
 *
 * @param refused the codes among its warnings that {@code ferry.lint.refuse} lists and the rule does not
 *     acknowledge: the rule keeps working, but a write of it as it is would be refused
 * @param usage in the rule list: what the rule was used for lately ({@code GET .../usage} has the detail)
 * @param impact for a dry run with {@code impact}: what the change would have done to audited exchanges
 */
record RuleResponse(
        @JsonUnwrapped RuleDefinition definition,
        long version,
        Instant createdAt,
        Instant updatedAt,
        List<LintWarning> warnings,
        List<String> refused,
        @JsonInclude(JsonInclude.Include.NON_NULL) RuleUsage.Summary usage,
        @JsonInclude(JsonInclude.Include.NON_NULL) ImpactReport impact) {

    static RuleResponse of(Stored<RuleDefinition> stored, List<LintWarning> warnings, List<LintWarning> refused) {
        return new RuleResponse(
                stored.definition(),
                stored.version(),
                stored.createdAt(),
                stored.updatedAt(),
                warnings,
                refused.stream().map(LintWarning::code).distinct().toList(),
                null,
                null);
    }

    RuleResponse withUsage(RuleUsage.Summary usage) {
        return new RuleResponse(definition, version, createdAt, updatedAt, warnings, refused, usage, impact);
    }

    RuleResponse withImpact(ImpactReport impact) {
        return new RuleResponse(definition, version, createdAt, updatedAt, warnings, refused, usage, impact);
    }
}
