package dev.ferry.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a condition compares a claim (docs/rules.md, Operators). */
public enum Operator {
    EQUALS("equals", Arity.ONE),
    NOT_EQUALS("notEquals", Arity.ONE),
    IN("in", Arity.MANY),
    NOT_IN("notIn", Arity.MANY),
    GLOB("glob", Arity.ONE),
    REGEX("regex", Arity.ONE),
    EXISTS("exists", Arity.NONE),
    NOT_EXISTS("notExists", Arity.NONE);

    /** Whether the operator takes {@code value}, {@code values} or neither. */
    enum Arity {
        NONE,
        ONE,
        MANY
    }

    private final String jsonName;
    private final Arity arity;

    Operator(String jsonName, Arity arity) {
        this.jsonName = jsonName;
        this.arity = arity;
    }

    Arity arity() {
        return arity;
    }

    /** True for the operators that negate another: they hold when the positive form does not. */
    boolean negated() {
        return this == NOT_EQUALS || this == NOT_IN || this == NOT_EXISTS;
    }

    @JsonValue
    public String jsonName() {
        return jsonName;
    }

    @JsonCreator
    public static Operator fromJson(String value) {
        for (Operator operator : values()) {
            if (operator.jsonName.equals(value)) {
                return operator;
            }
        }
        throw new IllegalArgumentException(
                "operator must be one of equals, notEquals, in, notIn, glob, regex, exists, notExists");
    }
}
