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

    private final Condition source;
    private final Predicate<String> test;

    private CompiledCondition(Condition source, Predicate<String> test) {
        this.source = source;
        this.test = test;
    }

    static CompiledCondition compile(Condition condition) {
        return new CompiledCondition(condition, predicate(condition));
    }

    Condition source() {
        return source;
    }

    ConditionResult evaluate(JsonNode claims) {
        JsonNode node = ClaimPath.resolve(claims, source.claim());
        List<String> actual = texts(node);
        boolean positive = source.operator().arity() == Operator.Arity.NONE
                ? !node.isMissingNode() && !node.isNull()
                : actual.stream().anyMatch(test);
        boolean holds = source.operator().negated() != positive;
        Object expected = source.values() != null ? source.values() : source.value();
        return new ConditionResult(source.claim(), source.operator(), expected, actual, holds);
    }

    /** The positive test on one value; negation is applied in {@link #evaluate}. */
    private static Predicate<String> predicate(Condition c) {
        switch (c.operator()) {
            case EQUALS:
            case NOT_EQUALS:
                return c.value()::equals;
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
