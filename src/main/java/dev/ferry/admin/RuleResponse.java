package dev.ferry.admin;

import dev.ferry.policy.Condition;
import dev.ferry.policy.Effect;
import dev.ferry.policy.LintWarning;
import dev.ferry.policy.StoredRule;
import java.time.Instant;
import java.util.List;

/** A rule as the admin API shows it: its definition with defaults filled in, its metadata, and its linter warnings. */
record RuleResponse(
        String name,
        String issuer,
        String description,
        Effect effect,
        List<Condition> conditions,
        List<String> targets,
        List<String> scopes,
        Integer ttlSeconds,
        boolean enabled,
        long version,
        Instant createdAt,
        Instant updatedAt,
        List<LintWarning> warnings) {

    static RuleResponse of(StoredRule stored, List<LintWarning> warnings) {
        var d = stored.definition();
        return new RuleResponse(
                d.name(),
                d.issuer(),
                d.description(),
                d.effect(),
                d.conditions(),
                d.targets(),
                d.scopes(),
                d.ttlSeconds(),
                d.enabled(),
                stored.version(),
                stored.createdAt(),
                stored.updatedAt(),
                warnings);
    }
}
