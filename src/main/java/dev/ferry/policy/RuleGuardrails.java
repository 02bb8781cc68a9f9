package dev.ferry.policy;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException;
import dev.ferry.federation.IssuerType;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The linter as a guardrail (docs/rules.md, Refused warnings): the codes {@code ferry.lint.refuse} lists
 * make a rule write fail, unless the rule acknowledges them with a reason. Only writes are refused:
 * rules already stored keep working and are reported instead ({@link RefusedRulesReport}, {@code GET
 * /admin/v1/rules?warnings=refused}), so an upgrade that adds a code breaks no one.
 */
@Component
public class RuleGuardrails {

    private final RuleLinter linter;
    private final Set<String> refuse;

    @Autowired
    RuleGuardrails(RuleLinter linter, FerryProperties properties) {
        this(linter, properties.lint().refuse());
    }

    RuleGuardrails(RuleLinter linter, List<String> refuse) {
        List<String> unknown =
                refuse.stream().filter(c -> !RuleLinter.CODES.contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("ferry.lint.refuse lists " + unknown + ", which are not linter codes; the"
                    + " codes are " + RuleLinter.CODES);
        }
        this.linter = linter;
        this.refuse = Set.copyOf(refuse);
    }

    /** The warnings among {@code warnings} that refuse {@code rule}: listed codes it does not acknowledge. */
    public List<LintWarning> refused(RuleDefinition rule, List<LintWarning> warnings) {
        Set<String> acknowledged = rule.acknowledged() == null
                ? Set.of()
                : rule.acknowledged().stream().map(Acknowledgement::code).collect(Collectors.toSet());
        return warnings.stream()
                .filter(w -> refuse.contains(w.code()) && !acknowledged.contains(w.code()))
                .toList();
    }

    /**
     * Fails the write of {@code rule} (validated, defaults filled in) when it has refused warnings.
     *
     * @throws DefinitionException.Refused with every warning and the refused codes
     */
    void require(RuleDefinition rule, IssuerType issuerType) {
        List<LintWarning> warnings = linter.lint(rule, issuerType);
        List<String> codes = refused(rule, warnings).stream()
                .map(LintWarning::code)
                .distinct()
                .toList();
        if (!codes.isEmpty()) {
            throw new DefinitionException.Refused(
                    null,
                    "rule '" + rule.name() + "' has linter warnings that ferry.lint.refuse refuses ("
                            + String.join(", ", codes)
                            + "): fix the rule, or acknowledge each code with a reason in 'acknowledged'",
                    warnings,
                    codes);
        }
    }
}
