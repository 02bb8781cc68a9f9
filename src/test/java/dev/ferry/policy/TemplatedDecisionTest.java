package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decisions on templated targets and scopes (docs/rules.md, Templated targets and scopes): substituted at
 * decision time, then matched exactly; and the target index finds exactly the rules a brute-force
 * evaluation finds.
 */
class TemplatedDecisionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    private static final String NS = "https://deploy.example.com/ns/";

    private final PolicyEvaluator evaluator = new PolicyEvaluator(null, Duration.ofHours(1));

    /** One organisation-wide rule: each repository of owner 4242 may deploy to its own namespace only. */
    private static final CompiledRule ORG_WIDE = rule(
            "org-wide",
            Effect.ALLOW,
            List.of(new Condition("repository_owner_id", Operator.EQUALS, "4242", null)),
            List.of(NS + "${repository_id}"),
            List.of("deploy:${repository_id}", "read"));

    private static CompiledRule rule(
            String name, Effect effect, List<Condition> conditions, List<String> targets, List<String> scopes) {
        return CompiledRule.compile(
                new RuleDefinition(name, "gh", null, effect, conditions, targets, scopes, null, true), DEFAULT_TTL);
    }

    /** A GitHub token of repository {@code repositoryId} of owner 4242, in the classic or immutable {@code sub} form. */
    private static ObjectNode github(String repositoryId, boolean immutableSub) {
        ObjectNode claims = JSON.createObjectNode()
                .put("repository_owner", "acme")
                .put("repository_owner_id", "4242")
                .put("repository", "acme/app" + repositoryId)
                .put("repository_id", repositoryId)
                .put("ref", "refs/heads/main");
        claims.put(
                "sub",
                immutableSub
                        ? "repo:acme@4242/app" + repositoryId + "@" + repositoryId + ":ref:refs/heads/main"
                        : "repo:acme/app" + repositoryId + ":ref:refs/heads/main");
        return claims;
    }

    private Decision decide(List<CompiledRule> rules, JsonNode claims, String target, List<String> scopes) {
        IssuerPolicy policy = new IssuerPolicy(rules);
        DecisionRequest request = new DecisionRequest("gh", claims, target, scopes);
        Decision decision = evaluator.evaluate(policy, request, false);
        Decision explained = evaluator.evaluate(policy, request, true);
        assertThat(explained.getClass()).isEqualTo(decision.getClass());
        return decision;
    }

    static List<Arguments> exactMatching() {
        return List.of(
                // name, requested target, requested scope, expected error (null: granted), granted scopes
                Arguments.of("own namespace", NS + "99", null, null, List.of("deploy:99", "read")),
                Arguments.of("own namespace, own deploy scope", NS + "99", "deploy:99", null, List.of("deploy:99")),
                Arguments.of("another repository's namespace", NS + "98", null, "invalid_target", null),
                Arguments.of("a longer id", NS + "990", null, "invalid_target", null),
                Arguments.of("a shorter id", NS + "9", null, "invalid_target", null),
                Arguments.of("a sub-path of its namespace", NS + "99/x", null, "invalid_target", null),
                Arguments.of("the bare prefix", NS, null, "invalid_target", null),
                Arguments.of("the template itself", NS + "${repository_id}", null, "invalid_target", null),
                Arguments.of("another repository's scope", NS + "99", "deploy:98", "invalid_scope", null),
                Arguments.of("the scope template itself", NS + "99", "deploy:${repository_id}", "invalid_scope", null),
                Arguments.of("a wildcard scope", NS + "99", "deploy:*", "invalid_scope", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactMatching")
    void substitutesThenMatchesExactlyForBothSubjectForms(
            String name, String target, String scope, String error, List<String> granted) {
        for (boolean immutable : List.of(false, true)) {
            Decision decision =
                    decide(List.of(ORG_WIDE), github("99", immutable), target, scope == null ? null : List.of(scope));
            if (error == null) {
                assertThat(decision).isInstanceOf(Decision.Granted.class);
                assertThat(((Decision.Granted) decision).scopes()).isEqualTo(granted);
            } else {
                assertThat(decision).isInstanceOf(Decision.Refused.class);
                assertThat(((Decision.Refused) decision).error()).isEqualTo(error);
            }
        }
    }

    @Test
    void anUnsafeClaimValueGrantsNothingAndTheExplanationSaysWhy() {
        CompiledRule byRepository = rule(
                "by-repository",
                Effect.ALLOW,
                List.of(new Condition("repository_owner_id", Operator.EQUALS, "4242", null)),
                List.of(NS + "${environment}"),
                List.of("deploy"));
        ObjectNode claims = github("99", false).put("environment", "prod/../../admin");

        Decision decision = decide(List.of(byRepository), claims, NS + "prod/../../admin", null);

        assertThat(decision).isInstanceOf(Decision.Refused.class);
        assertThat(((Decision.Refused) decision).error()).isEqualTo("invalid_target");
        RuleResult result = evaluator
                .evaluate(
                        new IssuerPolicy(List.of(byRepository)),
                        new DecisionRequest("gh", claims, NS + "x", null),
                        true)
                .trace()
                .get(0);
        assertThat(result.templates()).singleElement().satisfies(t -> {
            assertThat(t.template()).isEqualTo(NS + "${environment}");
            assertThat(t.result()).isNull();
            assertThat(t.reason()).contains("environment").contains("'/'");
            assertThat(t.claims()).containsEntry("environment", "prod/../../admin");
        });
    }

    @Test
    void anUnsubstitutableScopeIsLeftOutAndTheOthersAreGranted() {
        ObjectNode claims = github("99", true);
        claims.remove("repository_id");
        CompiledRule rule = rule(
                "scoped",
                Effect.ALLOW,
                List.of(new Condition("repository_owner_id", Operator.EQUALS, "4242", null)),
                List.of("https://deploy.example.com"),
                List.of("deploy:${repository_id}", "read"));

        Decision decision = decide(List.of(rule), claims, "https://deploy.example.com", null);

        assertThat(((Decision.Granted) decision).scopes()).containsExactly("read");
        assertThat(decide(List.of(rule), claims, "https://deploy.example.com", List.of("deploy:")))
                .isInstanceOf(Decision.Refused.class);
    }

    @Test
    void theExplanationShowsEachTemplateItsClaimValuesAndResult() {
        Decision decision = decide(List.of(ORG_WIDE), github("99", true), NS + "99", null);

        assertThat(decision.trace()).singleElement().satisfies(r -> {
            assertThat(r.targetsRequested()).isTrue();
            assertThat(r.templates())
                    .extracting(TemplateResult::kind, TemplateResult::template, TemplateResult::result)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("target", NS + "${repository_id}", NS + "99"),
                            org.assertj.core.groups.Tuple.tuple("scope", "deploy:${repository_id}", "deploy:99"));
            assertThat(r.templates().get(0).claims()).containsEntry("repository_id", "99");
        });
    }

    /**
     * Many rules, literal and templated, with and without shared prefixes, and many tokens: the indexed
     * decision grants exactly what a brute-force check of every rule (with its own naive substitution)
     * grants.
     */
    @Test
    void theTargetIndexFindsExactlyWhatEvaluatingEveryRuleFinds() {
        Random random = new Random(17);
        List<String> prefixes = List.of(NS, "https://deploy.example.com/", "https://other.example.com/n-", "");
        List<CompiledRule> rules = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            List<Condition> conditions = new ArrayList<>();
            conditions.add(
                    new Condition("repository_owner_id", Operator.EQUALS, String.valueOf(random.nextInt(40)), null));
            String prefix = prefixes.get(random.nextInt(prefixes.size()));
            String target = switch (random.nextInt(3)) {
                case 0 -> prefix + random.nextInt(30);
                case 1 -> prefix + "${repository_id}";
                default -> prefix + "${repository_owner_id}/${repository_id}";
            };
            Effect effect = random.nextInt(25) == 0 && !target.contains("${") ? Effect.DENY : Effect.ALLOW;
            rules.add(rule("r" + i, effect, conditions, List.of(target), List.of("s" + random.nextInt(3))));
        }
        IssuerPolicy policy = new IssuerPolicy(rules);
        for (int i = 0; i < 1_000; i++) {
            String owner = String.valueOf(random.nextInt(45));
            String repository = String.valueOf(random.nextInt(30));
            ObjectNode claims =
                    JSON.createObjectNode().put("repository_owner_id", owner).put("repository_id", repository);
            String prefix = prefixes.get(random.nextInt(prefixes.size()));
            String target = random.nextBoolean()
                    ? prefix + (random.nextBoolean() ? repository : String.valueOf(random.nextInt(30)))
                    : prefix + owner + "/" + repository;
            Decision decision = evaluator.evaluate(policy, new DecisionRequest("gh", claims, target, null), false);
            Set<String> expected = bruteForce(rules, claims, target);
            if (expected == null) {
                assertThat(decision).as(target).isInstanceOf(Decision.Refused.class);
            } else {
                assertThat(decision).as(target).isInstanceOf(Decision.Granted.class);
                assertThat(new LinkedHashSet<>(((Decision.Granted) decision).grantedScopes()))
                        .as(target)
                        .isEqualTo(expected);
            }
            assertThat(decision.trace().size()).isLessThan(rules.size() / 4);
        }
    }

    /** The scopes granted, or null when refused, found by looking at every rule and substituting naively. */
    private static Set<String> bruteForce(List<CompiledRule> rules, JsonNode claims, String target) {
        Set<String> scopes = new LinkedHashSet<>();
        boolean granted = false;
        for (CompiledRule rule : rules) {
            String owner = rule.conditions().get(0).value();
            if (!owner.equals(claims.get("repository_owner_id").stringValue())) {
                continue;
            }
            List<String> targets = new ArrayList<>(rule.targets());
            rule.targetTemplates()
                    .forEach(t -> targets.add(t.source()
                            .replace(
                                    "${repository_id}",
                                    claims.get("repository_id").stringValue())
                            .replace("${repository_owner_id}", owner)));
            if (!targets.contains(target)) {
                continue;
            }
            if (rule.effect() == Effect.DENY) {
                return null;
            }
            granted = true;
            scopes.addAll(rule.literalScopes());
        }
        return granted ? scopes : null;
    }
}
