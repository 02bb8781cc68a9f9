package dev.ferry.policy;

/**
 * One finding of the {@link RuleLinter} about a trust rule (docs/rules.md, Linter warnings: a rule's {@code warnings}).
 *
 * <p>Messages and fixes are plain operator English and name claims and operators, never a
 * condition's values.
 *
 * @param code a stable identifier, such as {@code github-not-pinned-to-id}
 * @param message what is wrong and why it matters
 * @param condition the condition at fault as {@code conditions[i]} (an index into the rule's
 *     conditions), or null when the finding is about the rule as a whole
 * @param suggestedFix what to change
 */
public record LintWarning(String code, String message, String condition, String suggestedFix) {}
