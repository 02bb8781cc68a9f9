package dev.ferry.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One test on one claim of the subject token; a rule's conditions are AND-ed.
 *
 * @param claim a top-level claim name or a dotted path
 * @param operator how to compare
 * @param value the operand of {@code equals}, {@code notEquals}, {@code glob} and {@code regex}
 * @param values the operands of {@code in} and {@code notIn}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(String claim, Operator operator, String value, List<String> values) {}
