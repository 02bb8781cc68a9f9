package dev.ferry.audit;

import java.time.Instant;

/**
 * Which audit events to list; null fields do not filter.
 *
 * @param kind {@code exchange} or {@code admin}
 * @param outcome {@code issued}, {@code refused} (exchanges) or {@code applied} (admin changes)
 * @param issuer the issuer's name
 * @param subject the upstream subject, exactly
 * @param rule a rule that matched (exchanges) or was changed (admin)
 * @param target the requested audience or resource, exactly
 * @param since inclusive lower bound of {@code occurredAt}
 * @param until exclusive upper bound of {@code occurredAt}
 */
public record AuditFilter(
        String kind,
        String outcome,
        String issuer,
        String subject,
        String rule,
        String target,
        Instant since,
        Instant until) {}
