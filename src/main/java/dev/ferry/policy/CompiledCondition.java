package dev.ferry.policy;

import com.google.re2j.Pattern;
import dev.ferry.core.ClaimPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A condition ready to run: its operand compiled once (a glob or regex into an RE2J pattern, which
 * matches in linear time), its claim path kept for {@link ClaimPath}.
 *
 * <p>Claim values compare as text: strings as they are, numbers and booleans in their JSON text.
 * On an array claim a positive operator holds when any element matches; a negated operator
 * ({@code notEquals}, {@code notIn}, {@code notExists}) holds exactly when its positive form does not.
 * An absent or null claim matches no value.
 */
final class CompiledCondition {

    // The condition's parts as fields rather than a Condition plus a test object: 100,000 rules of three
    // conditions each keep 300,000 of these in memory (docs/performance.md, "Memory with 100,000 rules").
    private final String claim;
    private final Operator operator;
    private final String value;
    private final List<String> values;
    /** The positive test on one value for in, glob and regex; null for equals and notEquals ({@link #accepts}). */
    private final Predicate<String> test;

    private CompiledCondition(Condition c, Predicate<String> test) {
        this.claim = c.claim();
        this.operator = c.operator();
        this.value = c.value();
        this.values = c.values();
        this.test = test;
    }

    static CompiledCondition compile(Condition condition) {
        return new CompiledCondition(condition, predicate(condition));
    }

    String claim() {
        return claim;
    }

    Operator operator() {
        return operator;
    }

    /** The operand of equals, notEquals, glob and regex; null for the others. */
    String value() {
        return value;
    }

    /** The operands of in and notIn; null for the others. */
    List<String> values() {
        return values;
    }

    ConditionResult evaluate(JsonNode claims) {
        JsonNode node = ClaimPath.resolve(claims, claim);
        List<String> actual = texts(node);
        boolean positive = operator.arity() == Operator.Arity.NONE
                ? !node.isMissingNode() && !node.isNull()
                : actual.stream().anyMatch(this::accepts);
        boolean holds = operator.negated() != positive;
        Object expected = values != null ? values : value;
        return new ConditionResult(claim, operator, expected, actual, holds);
    }

    /** The positive form's test on one value; negation is applied in {@link #evaluate}. */
    private boolean accepts(String actual) {
        return test == null ? actual.equals(value) : test.test(actual);
    }

    /** The positive test on one value for the operators {@link #accepts} does not compare directly. */
    private static Predicate<String> predicate(Condition c) {
        switch (c.operator()) {
            case EQUALS:
            case NOT_EQUALS:
                return null;
            case IN:
            case NOT_IN:
                return Set.copyOf(c.values())::contains;
            case GLOB:
                Pattern glob = globPattern(c.value());
                return glob::matches;
            case REGEX:
                Pattern regex = regexPattern(c.value());
                return regex::matches;
            default:
                return value -> true;
        }
    }

    /**
     * A regex condition's pattern (RE2 syntax): matched against the whole value, with {@code .} matching
     * line terminators too, as a glob's {@code *} does: a claim an attacker writes (a workflow or job
     * name) must not slip past a deny rule's {@code .*} with a line break.
     */
    static Pattern regexPattern(String regex) {
        return Pattern.compile(regex, Pattern.DOTALL);
    }

    /** {@code *} is any run of characters (slashes too), {@code ?} exactly one; everything else is literal. */
    static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            if (ch == '*' || ch == '?') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(ch == '*' ? "(?s:.*)" : "(?s:.)");
            } else {
                literal.append(ch);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString());
    }

    /** A claim's value as the texts conditions compare: each element of an array, nothing when absent or null. */
    static List<String> texts(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (value.isArray()) {
            List<String> texts = new ArrayList<>();
            for (JsonNode element : value) {
                if (element.isValueNode() && !element.isNull()) {
                    texts.add(text(element));
                }
            }
            return texts;
        }
        return value.isValueNode() ? List.of(text(value)) : List.of();
    }

    private static String text(JsonNode scalar) {
        return scalar.isString() ? scalar.stringValue() : scalar.toString();
    }
}
