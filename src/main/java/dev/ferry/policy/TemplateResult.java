package dev.ferry.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * How one templated target or scope of a rule fared for one token (docs/rules.md, Templated targets and
 * scopes): the claim values it used and its result, or why it has none (then it is not granted).
 *
 * @param kind {@code target} or {@code scope}
 * @param template the template as the rule writes it
 * @param claims each claim it names that has a string or number value, with that value
 * @param result the substituted text; null when it could not be substituted
 * @param reason why it could not be substituted; null when it was
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TemplateResult(String kind, String template, Map<String, String> claims, String result, String reason) {

    boolean substituted() {
        return result != null;
    }
}
