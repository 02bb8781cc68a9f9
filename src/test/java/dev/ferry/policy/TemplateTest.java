package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Parsing, escaping and the safety of every substituted value (docs/rules.md, Templated targets and scopes). */
class TemplateTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static List<Arguments> parsing() {
        return List.of(
                Arguments.of("no placeholder", "https://deploy.example.com", false, "https://deploy.example.com"),
                Arguments.of(
                        "one placeholder",
                        "https://d.example.com/ns/${repository_id}",
                        true,
                        "https://d.example.com/ns/"),
                Arguments.of("escaped dollar is literal", "cost$$${x}", true, "cost$"),
                Arguments.of("escaped placeholder is literal", "lit/$${repository}", false, "lit/${repository}"),
                Arguments.of("lone dollar is literal", "a$b", false, "a$b"),
                Arguments.of("dollar at the end is literal", "ab$", false, "ab$"),
                Arguments.of("path modifier", "deploy:${repository:path}", true, "deploy:"),
                Arguments.of("dotted claim path", "t/${extra.team}", true, "t/"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsing")
    void parsesLiteralPrefixAndEscapes(String name, String text, boolean templated, String prefix) {
        Template template = Template.parse(text);
        assertThat(template.templated()).isEqualTo(templated);
        assertThat(template.literalPrefix()).isEqualTo(prefix);
    }

    static List<Arguments> syntaxErrors() {
        return List.of(
                Arguments.of("unclosed", "https://x/${repository_id"),
                Arguments.of("empty", "https://x/${}"),
                Arguments.of("unknown modifier", "https://x/${repository:raw}"),
                Arguments.of("space in claim", "https://x/${repository id}"),
                Arguments.of("only a modifier", "https://x/${:path}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntaxErrors")
    void refusesMalformedPlaceholders(String name, String text) {
        assertThatThrownBy(() -> Template.parse(text)).isInstanceOf(Template.SyntaxError.class);
    }

    static List<Arguments> values() {
        return List.of(
                // name, claims JSON, template, expected result (null: refused), reason fragment
                Arguments.of("string id", "{\"c\":\"4242\"}", "ns/${c}", "ns/4242", null),
                Arguments.of("number as its text", "{\"c\":4242}", "ns/${c}", "ns/4242", null),
                Arguments.of("letters, digits, - _ .", "{\"c\":\"a-B_9.x\"}", "ns/${c}", "ns/a-B_9.x", null),
                Arguments.of("two placeholders", "{\"a\":\"1\",\"b\":\"2\"}", "x/${a}/y/${b}", "x/1/y/2", null),
                Arguments.of("path allows slash", "{\"c\":\"acme/app\"}", "r/${c:path}", "r/acme/app", null),
                Arguments.of("dotted path", "{\"extra\":{\"team\":\"blue\"}}", "t/${extra.team}", "t/blue", null),
                Arguments.of("absent", "{}", "ns/${c}", null, "is absent"),
                Arguments.of("null", "{\"c\":null}", "ns/${c}", null, "is absent"),
                Arguments.of("empty", "{\"c\":\"\"}", "ns/${c}", null, "is empty"),
                Arguments.of("array", "{\"c\":[\"a\"]}", "ns/${c}", null, "single string"),
                Arguments.of("object", "{\"c\":{\"a\":1}}", "ns/${c}", null, "single string"),
                Arguments.of("boolean", "{\"c\":true}", "ns/${c}", null, "single string"),
                Arguments.of("star", "{\"c\":\"a*\"}", "ns/${c}", null, "safe set"),
                Arguments.of("question mark", "{\"c\":\"a?\"}", "ns/${c}", null, "safe set"),
                Arguments.of("space", "{\"c\":\"a b\"}", "ns/${c}", null, "safe set"),
                Arguments.of("tab", "{\"c\":\"a\\tb\"}", "ns/${c}", null, "safe set"),
                Arguments.of("line break", "{\"c\":\"a\\nb\"}", "ns/${c}", null, "safe set"),
                Arguments.of("NUL", "{\"c\":\"a\\u0000b\"}", "ns/${c}", null, "safe set"),
                Arguments.of("DEL", "{\"c\":\"a\\u007fb\"}", "ns/${c}", null, "safe set"),
                Arguments.of("percent", "{\"c\":\"a%2fb\"}", "ns/${c}", null, "safe set"),
                Arguments.of("dot dot", "{\"c\":\"..\"}", "ns/${c}", null, ".."),
                Arguments.of("dot dot inside", "{\"c\":\"a..b\"}", "ns/${c}", null, ".."),
                Arguments.of("single dot", "{\"c\":\".\"}", "ns/${c}", null, ".."),
                Arguments.of("slash without path", "{\"c\":\"acme/app\"}", "ns/${c}", null, "'/'"),
                Arguments.of("dot dot segment in path", "{\"c\":\"acme/../x\"}", "r/${c:path}", null, ".."),
                Arguments.of("dot segment in path", "{\"c\":\"acme/./x\"}", "r/${c:path}", null, "'.' path segment"),
                Arguments.of("leading slash in path", "{\"c\":\"/acme\"}", "r/${c:path}", null, "empty path segment"),
                Arguments.of("double slash in path", "{\"c\":\"a//b\"}", "r/${c:path}", null, "empty path segment"),
                Arguments.of("colon", "{\"c\":\"a:b\"}", "ns/${c}", null, "safe set"),
                Arguments.of("at sign", "{\"c\":\"a@1\"}", "ns/${c}", null, "safe set"),
                Arguments.of("hash", "{\"c\":\"a#b\"}", "ns/${c}", null, "safe set"),
                Arguments.of("non-ASCII letter", "{\"c\":\"acmé\"}", "ns/${c}", null, "safe set"),
                Arguments.of("backslash", "{\"c\":\"a\\\\b\"}", "ns/${c}", null, "safe set"),
                Arguments.of("too long", "{\"c\":\"" + "a".repeat(257) + "\"}", "ns/${c}", null, "longer"),
                Arguments.of("second claim unsafe", "{\"a\":\"1\",\"b\":\"*\"}", "x/${a}/${b}", null, "claim 'b'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void substitutesOnlySafeValues(String name, String claims, String text, String expected, String reason)
            throws Exception {
        TemplateResult result = Template.parse(text).substitute("target", JSON.readTree(claims));
        assertThat(result.result()).isEqualTo(expected);
        if (expected == null) {
            assertThat(result.reason()).contains(reason);
        } else {
            assertThat(result.reason()).isNull();
        }
        assertThat(result.template()).isEqualTo(text);
    }

    @Test
    void explanationRecordsTheClaimValuesUsed() {
        ObjectNode claims =
                JSON.createObjectNode().put("repository_owner_id", "4242").put("repository_id", "99");
        TemplateResult result = Template.parse("https://d.example.com/${repository_owner_id}/${repository_id}")
                .substitute("target", claims);
        assertThat(result.claims()).isEqualTo(Map.of("repository_owner_id", "4242", "repository_id", "99"));
        assertThat(result.result()).isEqualTo("https://d.example.com/4242/99");
        assertThat(result.kind()).isEqualTo("target");
    }

    @Test
    void theReasonNeverEchoesTheValue() {
        JsonNode claims = JSON.createObjectNode().put("c", "secret-ish value*");
        TemplateResult result = Template.parse("ns/${c}").substitute("scope", claims);
        assertThat(result.reason()).doesNotContain("secret-ish");
    }
}
