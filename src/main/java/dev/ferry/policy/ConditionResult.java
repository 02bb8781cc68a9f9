package dev.ferry.policy;

import java.util.List;

/**
 * How one condition fared against one token: what it expected, what the token had, and whether it held.
 *
 * @param expected the condition's value or values (null for exists/notExists)
 * @param actual the claim's value as text, each element for an array claim; empty when absent
 */
public record ConditionResult(String claim, Operator operator, Object expected, List<String> actual, boolean holds) {}
