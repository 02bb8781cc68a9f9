package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every operator on every shape of claim, as docs/rules.md (Operators) defines them. */
class ConditionTest {

    private static final JsonNode CLAIMS = JsonMapper.builder().build().readTree("""
            {"sub": "repo:acme/app:ref:refs/heads/main",
             "ref": "refs/heads/main",
             "repository_owner_id": 4242,
             "ref_protected": true,
             "groups": ["dev", "ops"],
             "nested": {"team": {"name": "platform"}},
             "https://example.com/role": "admin",
             "empty": null,
             "object": {"a": 1},
             "workflow": "Deploy\\nproduction"}
            """);

    static List<Arguments> cases() {
        return List.of(
                Arguments.of("equals string", "ref", Operator.EQUALS, "refs/heads/main", null, true),
                Arguments.of("equals is exact", "ref", Operator.EQUALS, "refs/heads/mai", null, false),
                Arguments.of("equals number as JSON text", "repository_owner_id", Operator.EQUALS, "4242", null, true),
                Arguments.of("equals boolean as JSON text", "ref_protected", Operator.EQUALS, "true", null, true),
                Arguments.of("equals any array element", "groups", Operator.EQUALS, "ops", null, true),
                Arguments.of("equals on absent claim", "environment", Operator.EQUALS, "prod", null, false),
                Arguments.of("equals on null claim", "empty", Operator.EQUALS, "null", null, false),
                Arguments.of("equals on object claim", "object", Operator.EQUALS, "{\"a\":1}", null, false),
                Arguments.of("notEquals different", "ref", Operator.NOT_EQUALS, "refs/heads/dev", null, true),
                Arguments.of("notEquals same", "ref", Operator.NOT_EQUALS, "refs/heads/main", null, false),
                Arguments.of("notEquals on array with element", "groups", Operator.NOT_EQUALS, "dev", null, false),
                Arguments.of("notEquals on absent claim", "environment", Operator.NOT_EQUALS, "prod", null, true),
                Arguments.of("in", "ref", Operator.IN, null, List.of("refs/heads/dev", "refs/heads/main"), true),
                Arguments.of("in missing", "ref", Operator.IN, null, List.of("refs/heads/dev"), false),
                Arguments.of("in on array", "groups", Operator.IN, null, List.of("ops", "qa"), true),
                Arguments.of("notIn", "ref", Operator.NOT_IN, null, List.of("refs/heads/dev"), true),
                Arguments.of("notIn present", "ref", Operator.NOT_IN, null, List.of("refs/heads/main"), false),
                Arguments.of("glob star", "sub", Operator.GLOB, "repo:acme/*:ref:refs/heads/main", null, true),
                Arguments.of("glob star crosses slashes", "ref", Operator.GLOB, "refs/*", null, true),
                Arguments.of("glob question mark", "ref", Operator.GLOB, "refs/heads/mai?", null, true),
                Arguments.of("glob whole value", "ref", Operator.GLOB, "heads/*", null, false),
                Arguments.of("glob literal dot and brackets", "ref", Operator.GLOB, "refs.heads.main", null, false),
                Arguments.of("glob on array", "groups", Operator.GLOB, "o*", null, true),
                Arguments.of("regex whole value", "ref", Operator.REGEX, "refs/heads/(main|release-.*)", null, true),
                Arguments.of("regex not partial", "ref", Operator.REGEX, "heads", null, false),
                Arguments.of("regex on number", "repository_owner_id", Operator.REGEX, "42\\d+", null, true),
                Arguments.of("regex dot matches a line break", "workflow", Operator.REGEX, "Deploy.*", null, true),
                Arguments.of(
                        "regex is still whole value across lines", "workflow", Operator.REGEX, "Deploy", null, false),
                Arguments.of("glob star matches a line break", "workflow", Operator.GLOB, "Deploy*", null, true),
                Arguments.of("exists", "ref", Operator.EXISTS, null, null, true),
                Arguments.of("exists object", "object", Operator.EXISTS, null, null, true),
                Arguments.of("exists absent", "environment", Operator.EXISTS, null, null, false),
                Arguments.of("exists null", "empty", Operator.EXISTS, null, null, false),
                Arguments.of("notExists absent", "environment", Operator.NOT_EXISTS, null, null, true),
                Arguments.of("notExists present", "ref", Operator.NOT_EXISTS, null, null, false),
                Arguments.of("dotted path", "nested.team.name", Operator.EQUALS, "platform", null, true),
                Arguments.of("dotted path absent", "nested.team.lead", Operator.EXISTS, null, null, false),
                Arguments.of(
                        "namespaced claim with dots",
                        "https://example.com/role",
                        Operator.EQUALS,
                        "admin",
                        null,
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conditionHoldsAsDefined(
            String name, String claim, Operator operator, String value, List<String> values, boolean holds) {
        ConditionResult result = CompiledCondition.compile(new Condition(claim, operator, value, values))
                .evaluate(CLAIMS);

        assertThat(result.holds()).isEqualTo(holds);
        assertThat(result.claim()).isEqualTo(claim);
        assertThat(result.expected()).isEqualTo(values != null ? values : value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void negationIsExact(
            String name, String claim, Operator operator, String value, List<String> values, boolean holds) {
        Operator opposite = switch (operator) {
            case EQUALS -> Operator.NOT_EQUALS;
            case NOT_EQUALS -> Operator.EQUALS;
            case IN -> Operator.NOT_IN;
            case NOT_IN -> Operator.IN;
            case EXISTS -> Operator.NOT_EXISTS;
            case NOT_EXISTS -> Operator.EXISTS;
            default -> null;
        };
        if (opposite != null) {
            assertThat(CompiledCondition.compile(new Condition(claim, opposite, value, values))
                            .evaluate(CLAIMS)
                            .holds())
                    .isEqualTo(!holds);
        }
    }

    @org.junit.jupiter.api.Test
    void regexWithCatastrophicBacktrackingShapeRunsInLinearTime() {
        JsonNode claims = JsonMapper.builder().build().readTree("{\"ref\": \"" + "a".repeat(50_000) + "!\"}");
        CompiledCondition condition = CompiledCondition.compile(new Condition("ref", Operator.REGEX, "(a+)+$", null));

        assertThat(condition.evaluate(claims).holds()).isFalse();
    }
}
