package dev.ferry.policy;

import com.google.re2j.PatternSyntaxException;
import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException.Invalid;
import dev.ferry.core.Slug;
import dev.ferry.federation.IssuerService;
import dev.ferry.web.CallerText;
import java.util.List;
import java.util.function.Predicate;

/** Checks a rule definition field by field, and fills in its defaults. */
@org.springframework.stereotype.Component
class RuleValidator {

    static final int MAX_CONDITIONS = 32;
    static final int MAX_VALUES = 1_000;
    static final int MIN_TTL_SECONDS = 60;

    private final IssuerService issuers;
    private final long maxTtlSeconds;

    RuleValidator(IssuerService issuers, FerryProperties properties) {
        this.issuers = issuers;
        this.maxTtlSeconds = properties.token().maxTtl().toSeconds();
    }

    RuleDefinition normalize(RuleDefinition in) {
        return normalize(in, issuer -> issuers.typeOf(issuer).isPresent());
    }

    /** As {@link #normalize(RuleDefinition)}, asking {@code issuerExists} instead of the database. */
    RuleDefinition normalize(RuleDefinition in, Predicate<String> issuerExists) {
        Slug.require("name", in.name());
        if (in.issuer() == null) {
            throw new Invalid("issuer", "issuer is required");
        }
        if (!issuerExists.test(in.issuer())) {
            throw new Invalid("issuer", "issuer '" + in.issuer() + "' does not exist");
        }
        // Tabs and line breaks are fine in free text (a YAML block scalar ends in one); other controls are not.
        if (in.description() != null
                && (in.description().length() > 1024
                        || CallerText.hasControlCharacter(in.description().replaceAll("[\\t\\r\\n]", "")))) {
            throw new Invalid(
                    "description",
                    "description is at most 1024 characters, with no control characters but tabs and line breaks");
        }
        if (in.effect() == null) {
            throw new Invalid("effect", "effect is required: allow or deny");
        }
        List<String> targets = strings("targets", in.targets(), 2048);
        if (in.effect() == Effect.ALLOW && targets.isEmpty()) {
            throw new Invalid("targets", "an allow rule must list at least one target");
        }
        List<String> scopes = strings("scopes", in.scopes(), 256);
        scopes.forEach(RuleValidator::requireScopeToken);
        templates("targets", targets, in.effect());
        templates("scopes", scopes, in.effect());
        Integer ttl = in.ttlSeconds();
        if (ttl != null && (ttl < MIN_TTL_SECONDS || ttl > maxTtlSeconds)) {
            throw new Invalid(
                    "ttlSeconds",
                    "ttlSeconds must be between " + MIN_TTL_SECONDS + " and " + maxTtlSeconds
                            + " (ferry.token.max-ttl)");
        }
        boolean requireDpop = Boolean.TRUE.equals(in.requireDpop());
        if (requireDpop && in.effect() == Effect.DENY) {
            throw new Invalid(
                    "requireDpop",
                    "requireDpop is for allow rules: a deny rule refuses a token with or without a DPoP proof");
        }
        return new RuleDefinition(
                in.name(),
                in.issuer(),
                in.description(),
                in.effect(),
                conditions(in.conditions()),
                targets,
                scopes,
                ttl,
                in.enabled() == null || in.enabled(),
                requireDpop,
                acknowledged(in.acknowledged()));
    }

    /** Each entry must parse as a template (docs/rules.md, Templated targets and scopes); a deny rule's must be literal. */
    private static void templates(String field, List<String> entries, Effect effect) {
        for (int i = 0; i < entries.size(); i++) {
            Template template;
            try {
                template = Template.parse(entries.get(i));
            } catch (Template.SyntaxError e) {
                throw new Invalid(field + "[" + i + "]", e.getMessage());
            }
            if (template.templated() && effect == Effect.DENY) {
                throw new Invalid(
                        field + "[" + i + "]",
                        "a deny rule's " + field + " are literal: placeholders are for allow rules (write '$${' for a"
                                + " literal '${')");
            }
        }
    }

    private static List<Acknowledgement> acknowledged(List<Acknowledgement> entries) {
        if (entries == null) {
            return List.of();
        }
        java.util.Set<String> codes = new java.util.HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            Acknowledgement a = entries.get(i);
            String field = "acknowledged[" + i + "]";
            if (a == null || a.code() == null || !RuleLinter.CODES.contains(a.code())) {
                throw new Invalid(field + ".code", "code must be one of the linter's codes: " + RuleLinter.CODES);
            }
            if (!codes.add(a.code())) {
                throw new Invalid(field + ".code", "'" + a.code() + "' is acknowledged twice");
            }
            if (a.reason() == null
                    || a.reason().isBlank()
                    || a.reason().length() > 512
                    || CallerText.hasControlCharacter(a.reason())) {
                throw new Invalid(
                        field + ".reason",
                        "reason is required: why the rule is right as it is, at most 512 characters, no control"
                                + " characters");
            }
        }
        return List.copyOf(entries);
    }

    private static List<Condition> conditions(List<Condition> conditions) {
        if (conditions == null || conditions.isEmpty()) {
            throw new Invalid("conditions", "a rule needs at least one condition");
        }
        if (conditions.size() > MAX_CONDITIONS) {
            throw new Invalid("conditions", "a rule has at most " + MAX_CONDITIONS + " conditions");
        }
        for (int i = 0; i < conditions.size(); i++) {
            condition("conditions[" + i + "]", conditions.get(i));
        }
        return List.copyOf(conditions);
    }

    private static void condition(String field, Condition c) {
        if (c == null) {
            throw new Invalid(field, "a condition must be an object");
        }
        if (c.claim() == null
                || c.claim().isBlank()
                || c.claim().length() > 256
                || CallerText.hasControlCharacter(c.claim())) {
            throw new Invalid(
                    field + ".claim",
                    "claim is required: a claim name or dotted path, at most 256 characters, none of them control characters");
        }
        if (c.operator() == null) {
            throw new Invalid(field + ".operator", "operator is required");
        }
        switch (c.operator().arity()) {
            case NONE -> {
                if (c.value() != null || c.values() != null) {
                    throw new Invalid(field, c.operator().jsonName() + " takes neither value nor values");
                }
            }
            case ONE -> {
                if (c.value() == null || c.values() != null) {
                    throw new Invalid(field + ".value", c.operator().jsonName() + " takes one value (and no values)");
                }
                if (c.value().length() > 1024) {
                    throw new Invalid(field + ".value", "value is at most 1024 characters");
                }
            }
            case MANY -> {
                if (c.values() == null || c.values().isEmpty() || c.value() != null) {
                    throw new Invalid(
                            field + ".values",
                            c.operator().jsonName() + " takes a non-empty values list (and no value)");
                }
                if (c.values().size() > MAX_VALUES || c.values().stream().anyMatch(v -> v == null)) {
                    throw new Invalid(field + ".values", "values holds 1 to " + MAX_VALUES + " strings");
                }
            }
        }
        if (c.operator() == Operator.REGEX) {
            try {
                CompiledCondition.regexPattern(c.value());
            } catch (PatternSyntaxException e) {
                throw new Invalid(field + ".value", "not a valid RE2 regular expression: " + e.getDescription());
            }
        }
    }

    private static List<String> strings(String field, List<String> values, int maxLength) {
        if (values == null) {
            return List.of();
        }
        if (values.size() > 100) {
            throw new Invalid(field, field + " holds at most 100 entries");
        }
        for (String value : values) {
            if (value == null || value.isBlank() || value.length() > maxLength) {
                throw new Invalid(field, field + " entries must be non-blank, at most " + maxLength + " characters");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(values));
    }

    /** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
    private static void requireScopeToken(String scope) {
        for (char ch : scope.toCharArray()) {
            if (ch < 0x21 || ch == 0x22 || ch == 0x5C || ch > 0x7E) {
                throw new Invalid("scopes", "scope '" + scope + "' has a character RFC 6749 §3.3 does not allow");
            }
        }
    }
}
