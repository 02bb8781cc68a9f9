package dev.ferry.policy;

import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerService;
import dev.ferry.federation.IssuerType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * At start-up, names each stored rule that {@code ferry.lint.refuse} would refuse as it is (docs/rules.md,
 * Refused warnings): a WARN line per rule with its refused codes, never its values. The rules keep
 * working; {@code GET /admin/v1/rules?warnings=refused} lists the same rules.
 */
@Component
class RefusedRulesReport {

    private static final Logger log = LoggerFactory.getLogger(RefusedRulesReport.class);
    private static final int PAGE = 500;

    private final RuleService rules;
    private final IssuerService issuers;
    private final RuleLinter linter;
    private final RuleGuardrails guardrails;

    RefusedRulesReport(RuleService rules, IssuerService issuers, RuleLinter linter, RuleGuardrails guardrails) {
        this.rules = rules;
        this.issuers = issuers;
        this.linter = linter;
        this.guardrails = guardrails;
    }

    /**
     * Runs in a thread of its own, at low priority, so it never holds up readiness: linting 100,000
     * stored rules takes tens of seconds on two cores.
     */
    @EventListener(ApplicationReadyEvent.class)
    void report() {
        Thread thread = new Thread(this::reportNow, "ferry-refused-rules-report");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    private void reportNow() {
        try {
            int refused = count();
            if (refused > 0) {
                log.warn(
                        "{} stored rules would be refused by ferry.lint.refuse as they are; they keep working. Fix"
                                + " them or acknowledge the codes; GET /admin/v1/rules?warnings=refused lists them",
                        refused);
            }
        } catch (RuntimeException e) {
            log.warn("Could not check the stored rules against ferry.lint.refuse: {}", e.toString());
        }
    }

    /** Logs each refused rule and returns how many there are. */
    int count() {
        Map<String, IssuerType> types = issuers.types();
        int refused = 0;
        String after = null;
        List<Stored<RuleDefinition>> page = rules.page(null, after, PAGE);
        while (!page.isEmpty()) {
            for (Stored<RuleDefinition> stored : page) {
                RuleDefinition rule = stored.definition();
                List<LintWarning> found = guardrails.refused(rule, linter.lint(rule, types.get(rule.issuer())));
                if (!found.isEmpty()) {
                    refused++;
                    log.warn(
                            "Rule '{}' of issuer '{}' has linter warnings that ferry.lint.refuse refuses: {}",
                            rule.name(),
                            rule.issuer(),
                            found.stream().map(LintWarning::code).distinct().collect(Collectors.joining(", ")));
                }
            }
            after = page.get(page.size() - 1).definition().name();
            page = page.size() < PAGE ? List.of() : rules.page(null, after, PAGE);
        }
        return refused;
    }
}
