package dev.ferry.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A rule ready to run: its conditions compiled, its literal targets as a set and its templated ones
 * parsed ({@link Template}), its scopes parsed, its lifetime resolved.
 *
 * @param targets the literal targets, matched exactly
 * @param targetTemplates the targets with placeholders, matched exactly once substituted
 * @param scopeTemplates every scope in order, literal ones as templates without placeholders, when one
 *     of them has placeholders; empty when none has (then {@code literalScopes} are all of them)
 * @param literalScopes the scopes without placeholders, in order
 * @param ttlSeconds the lifetime of the tokens it grants, in seconds (a number, not a {@code Duration}: 24
 *     bytes less for each of 100,000 rules, docs/performance.md)
 * @param requireDpop whether the tokens it grants need a DPoP proof (docs/rules.md, requireDpop)
 */
record CompiledRule(
        String name,
        Effect effect,
        boolean enabled,
        List<CompiledCondition> conditions,
        Set<String> targets,
        List<Template> targetTemplates,
        List<Template> scopeTemplates,
        List<String> literalScopes,
        long ttlSeconds,
        boolean requireDpop) {

    static CompiledRule compile(RuleDefinition d, Duration defaultTtl) {
        Set<String> literalTargets = new LinkedHashSet<>();
        List<Template> targetTemplates = new ArrayList<>();
        for (String target : d.targets()) {
            Template template = parse(target);
            if (template.templated()) {
                targetTemplates.add(template);
            } else {
                literalTargets.add(template.literal());
            }
        }
        List<Template> scopes = d.scopes().stream().map(CompiledRule::parse).toList();
        if (scopes.stream().noneMatch(Template::templated)) {
            // The usual case: no template objects kept, only the texts (100,000 rules, docs/performance.md).
            scopes = List.of();
        }
        return new CompiledRule(
                d.name(),
                d.effect(),
                d.enabled(),
                d.conditions().stream().map(CompiledCondition::compile).toList(),
                Set.copyOf(literalTargets),
                List.copyOf(targetTemplates),
                scopes,
                scopes.isEmpty()
                        ? List.copyOf(d.scopes())
                        : scopes.stream()
                                .filter(t -> !t.templated())
                                .map(Template::literal)
                                .toList(),
                d.ttlSeconds() == null ? defaultTtl.toSeconds() : d.ttlSeconds(),
                Boolean.TRUE.equals(d.requireDpop()));
    }

    /**
     * The text as a template; a text that does not parse (stored before templates existed, as the
     * validator now refuses it) stays the literal it was.
     */
    private static Template parse(String text) {
        try {
            return Template.parse(text);
        } catch (Template.SyntaxError e) {
            return Template.literalOf(text);
        }
    }

    /** The lifetime of the tokens it grants. */
    Duration ttl() {
        return Duration.ofSeconds(ttlSeconds);
    }

    boolean templated() {
        return !targetTemplates.isEmpty() || scopeTemplates.stream().anyMatch(Template::templated);
    }

    /**
     * Whether the rule concerns {@code target}: it lists it, a template of its substitutes to exactly
     * it for these claims, or it is a deny rule that lists none.
     */
    boolean concerns(String target, JsonNode claims) {
        if (targets.contains(target) || (effect == Effect.DENY && targets.isEmpty() && targetTemplates.isEmpty())) {
            return true;
        }
        for (Template template : targetTemplates) {
            if (target.startsWith(template.literalPrefix())
                    && target.equals(template.substitute("target", claims).result())) {
                return true;
            }
        }
        return false;
    }

    /** The scopes the rule grants to a token with these claims: literal ones, and each template that substitutes. */
    List<String> scopes(JsonNode claims) {
        if (scopeTemplates.isEmpty()) {
            return literalScopes;
        }
        List<String> scopes = new ArrayList<>(scopeTemplates.size());
        for (Template template : scopeTemplates) {
            String scope =
                    template.templated() ? template.substitute("scope", claims).result() : template.literal();
            if (scope != null) {
                scopes.add(scope);
            }
        }
        return scopes;
    }

    RuleResult evaluate(JsonNode claims, String target) {
        List<ConditionResult> results =
                conditions.stream().map(c -> c.evaluate(claims)).toList();
        boolean matched = enabled && results.stream().allMatch(ConditionResult::holds);
        return new RuleResult(
                name, effect, enabled, matched, concerns(target, claims), results, templates(claims), requireDpop);
    }

    /** Each template's substitution, for the explanation; null for a rule without templates. */
    private List<TemplateResult> templates(JsonNode claims) {
        if (!templated()) {
            return null;
        }
        List<TemplateResult> results = new ArrayList<>();
        targetTemplates.forEach(t -> results.add(t.substitute("target", claims)));
        scopeTemplates.stream().filter(Template::templated).forEach(t -> results.add(t.substitute("scope", claims)));
        return List.copyOf(results);
    }
}
