package dev.ferry.policy;

/**
 * A linter code a rule's author knows about and accepts, with why (docs/rules.md, Refused warnings): a
 * code that {@code ferry.lint.refuse} lists does not refuse a rule that acknowledges it. The warning is
 * still shown.
 *
 * @param code a linter code, such as {@code unbound-identity}
 * @param reason why the rule is right as it is, for the next reader; required
 */
public record Acknowledgement(String code, String reason) {}
