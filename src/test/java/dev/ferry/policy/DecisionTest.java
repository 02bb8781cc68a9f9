package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The decision steps of docs/rules.md (How a decision is made), on compiled rules; and that explaining reaches the same decision. */
class DecisionTest {

    private static final String T = "https://deploy.example.com";
    private static final JsonNode MAIN = JsonMapper.builder()
            .build()
            .readTree("{\"repository_owner_id\":\"4242\",\"ref\":\"refs/heads/main\",\"environment\":\"prod\"}");
    private static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

    private final PolicyEvaluator evaluator = new PolicyEvaluator(null, Duration.ofHours(1));

    private static CompiledRule rule(
            String name, Effect effect, Condition condition, List<String> targets, List<String> scopes, Integer ttl) {
        return CompiledRule.compile(
                new RuleDefinition(name, "gh", null, effect, List.of(condition), targets, scopes, ttl, true),
                DEFAULT_TTL);
    }

    private static Condition owner(String id) {
        return new Condition("repository_owner_id", Operator.EQUALS, id, null);
    }

    private Decision decide(List<CompiledRule> rules, String target, List<String> scopes) {
        IssuerPolicy policy = new IssuerPolicy(rules);
        DecisionRequest request = new DecisionRequest("gh", MAIN, target, scopes);
        Decision decision = evaluator.evaluate(policy, request, false);
        Decision explained = evaluator.evaluate(policy, request, true);
        assertThat(explained.getClass()).isEqualTo(decision.getClass());
        assertThat(explained.matchedRules()).containsAll(decision.matchedRules());
        if (decision instanceof Decision.Refused refused) {
            assertThat(((Decision.Refused) explained).error()).isEqualTo(refused.error());
        } else {
            assertThat(((Decision.Granted) explained).scopes()).isEqualTo(((Decision.Granted) decision).scopes());
            assertThat(((Decision.Granted) explained).lifetime()).isEqualTo(((Decision.Granted) decision).lifetime());
        }
        assertThat(explained.trace()).hasSize(rules.size());
        return decision;
    }

    @Test
    void grantedScopesAreTheUnionAndLifetimeTheSmallestOfRulesGrantingAnIssuedScope() {
        Decision decision = decide(
                List.of(
                        rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of("deploy"), 600),
                        rule("b", Effect.ALLOW, owner("4242"), List.of(T), List.of("read"), 300)),
                T,
                null);

        Decision.Granted granted = (Decision.Granted) decision;
        assertThat(granted.scopes()).containsExactly("deploy", "read");
        assertThat(granted.lifetime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(granted.matchedRules()).containsExactly("a", "b");
    }

    @Test
    void lifetimeIgnoresRulesThatGrantNoIssuedScope() {
        Decision.Granted granted = (Decision.Granted) decide(
                List.of(
                        rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of("deploy"), 600),
                        rule("b", Effect.ALLOW, owner("4242"), List.of(T), List.of("read"), 300)),
                T,
                List.of("deploy"));

        assertThat(granted.scopes()).containsExactly("deploy");
        assertThat(granted.lifetime()).isEqualTo(Duration.ofSeconds(600));
    }

    @Test
    void lifetimeDefaultsAndIsCapped() {
        Decision.Granted defaulted = (Decision.Granted)
                decide(List.of(rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of(), null)), T, null);
        assertThat(defaulted.lifetime()).isEqualTo(DEFAULT_TTL);
        assertThat(defaulted.scopes()).isEmpty();

        PolicyEvaluator capped = new PolicyEvaluator(null, Duration.ofMinutes(5));
        Decision decision = capped.evaluate(
                new IssuerPolicy(List.of(rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of(), 3600))),
                new DecisionRequest("gh", MAIN, T, null),
                false);
        assertThat(((Decision.Granted) decision).lifetime()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void denyWithoutTargetsRefusesEveryTarget() {
        Decision decision = decide(
                List.of(
                        rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of("deploy"), null),
                        rule(
                                "no-prod",
                                Effect.DENY,
                                new Condition("environment", Operator.EQUALS, "prod", null),
                                List.of(),
                                List.of(),
                                null)),
                T,
                null);

        assertThat(decision).isInstanceOf(Decision.Refused.class);
        assertThat(((Decision.Refused) decision).error()).isEqualTo("invalid_request");
        assertThat(decision.matchedRules()).contains("no-prod");
    }

    @Test
    void denyRegexOnAFreeTextClaimIsNotBypassedByALineBreak() {
        CompiledRule allow = rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of("deploy"), null);
        CompiledRule denyDebug = rule(
                "no-debug-workflows",
                Effect.DENY,
                new Condition("workflow", Operator.REGEX, "(?i).*debug.*", null),
                List.of(),
                List.of(),
                null);
        IssuerPolicy policy = new IssuerPolicy(List.of(allow, denyDebug));
        JsonNode sneaky = JsonMapper.builder()
                .build()
                .readTree("{\"repository_owner_id\":\"4242\",\"workflow\":\"release\\nDEBUG shell\"}");

        Decision decision = evaluator.evaluate(policy, new DecisionRequest("gh", sneaky, T, null), false);

        assertThat(decision).isInstanceOf(Decision.Refused.class);
        assertThat(decision.matchedRules()).containsExactly("no-debug-workflows");
    }

    @Test
    void aRefusalLooksOnlyAtWhatTheIndexYieldsAndItsAuditSummaryStaysSmallWhateverTheRuleCount() {
        List<String> thousandRefs = java.util.stream.IntStream.range(0, 1_000)
                .mapToObj(i -> "refs/heads/release-" + i)
                .toList();
        for (int count : List.of(10, 10_000)) {
            List<CompiledRule> rules = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                rules.add(CompiledRule.compile(
                        new RuleDefinition(
                                "owner-" + i,
                                "gh",
                                null,
                                Effect.ALLOW,
                                List.of(
                                        owner(String.valueOf(10_000 + i)),
                                        new Condition("ref", Operator.IN, null, thousandRefs)),
                                List.of(T),
                                List.of("deploy"),
                                null,
                                true),
                        DEFAULT_TTL));
            }
            IssuerPolicy policy = new IssuerPolicy(rules);
            JsonNode stranger = JsonMapper.builder()
                    .build()
                    .readTree("{\"repository_owner_id\":\"10005\",\"ref\":\"refs/heads/x\"}");

            Decision decision = evaluator.evaluate(policy, new DecisionRequest("gh", stranger, T, null), false);

            assertThat(decision).isInstanceOf(Decision.Refused.class);
            assertThat(decision.trace())
                    .as("%d rules: only the owner's rule is looked at", count)
                    .hasSize(1);
            String audited = JsonMapper.builder().build().writeValueAsString(decision.summary());
            assertThat(audited)
                    .as("no expected values in the audit row")
                    .doesNotContain("release-")
                    .hasSizeLessThan(200);
        }
    }

    @Test
    void theAuditSummaryIsCappedWhenManyRulesAreLookedAt() {
        List<CompiledRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            rules.add(rule(
                    "unindexed-" + i,
                    Effect.ALLOW,
                    new Condition("environment", Operator.GLOB, "staging-" + i, null),
                    List.of(T),
                    List.of("deploy"),
                    null));
        }
        Decision decision =
                evaluator.evaluate(new IssuerPolicy(rules), new DecisionRequest("gh", MAIN, T, null), false);

        DecisionSummary summary = decision.summary();
        assertThat(decision.trace()).hasSize(2_000);
        assertThat(JsonMapper.builder().build().writeValueAsString(summary))
                .hasSizeLessThanOrEqualTo(DecisionSummary.MAX_BYTES);
        assertThat(summary.rules().size() + summary.omitted()).isEqualTo(2_000);
        assertThat(summary.omitted()).isPositive();
    }

    @Test
    void denyForAnotherTargetDoesNotApply() {
        Decision decision = decide(
                List.of(
                        rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of("deploy"), null),
                        rule(
                                "deny-other",
                                Effect.DENY,
                                owner("4242"),
                                List.of("https://other.example.com"),
                                List.of(),
                                null)),
                T,
                null);

        assertThat(decision).isInstanceOf(Decision.Granted.class);
    }

    @Test
    void allowMatchingAnotherTargetIsInvalidTargetAndNoMatchIsInvalidRequest() {
        List<CompiledRule> rules =
                List.of(rule("a", Effect.ALLOW, owner("4242"), List.of("https://other.example.com"), List.of(), null));
        assertThat(((Decision.Refused) decide(rules, T, null)).error()).isEqualTo("invalid_target");

        List<CompiledRule> none = List.of(rule("a", Effect.ALLOW, owner("1"), List.of(T), List.of(), null));
        assertThat(((Decision.Refused) decide(none, T, null)).error()).isEqualTo("invalid_request");
        assertThat(((Decision.Refused) decide(List.of(), T, null)).error()).isEqualTo("invalid_request");
    }

    @Test
    void requestedScopeOutsideGrantIsInvalidScopeNeverDownScoped() {
        Decision decision = decide(
                List.of(rule("a", Effect.ALLOW, owner("4242"), List.of(T), List.of("read"), null)),
                T,
                List.of("read", "write"));

        assertThat(((Decision.Refused) decision).error()).isEqualTo("invalid_scope");
        assertThat(((Decision.Refused) decision).description())
                .contains("'write'")
                .doesNotContain("read'");
    }

    @Test
    void indexedDecisionEqualsEvaluatingEveryRuleOnManyRandomRulesAndTokens() {
        java.util.Random random = new java.util.Random(42);
        List<String> targets = List.of(T, "https://a.example.com", "https://b.example.com");
        List<CompiledRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            List<Condition> conditions = new java.util.ArrayList<>();
            switch (random.nextInt(4)) {
                case 0 -> conditions.add(owner(String.valueOf(random.nextInt(50))));
                case 1 ->
                    conditions.add(new Condition(
                            "repository_owner_id",
                            Operator.IN,
                            null,
                            List.of(String.valueOf(random.nextInt(50)), String.valueOf(random.nextInt(50)))));
                case 2 -> conditions.add(new Condition("groups", Operator.EQUALS, "g" + random.nextInt(5), null));
                default ->
                    conditions.add(new Condition(
                            "ref", Operator.GLOB, "refs/heads/" + (random.nextBoolean() ? "*" : "main"), null));
            }
            if (random.nextBoolean()) {
                conditions.add(new Condition(
                        "ref", Operator.EQUALS, random.nextBoolean() ? "refs/heads/main" : "refs/heads/dev", null));
            }
            Effect effect = random.nextInt(20) == 0 ? Effect.DENY : Effect.ALLOW;
            List<String> ruleTargets =
                    effect == Effect.DENY && random.nextBoolean() ? List.of() : List.of(targets.get(random.nextInt(3)));
            rules.add(CompiledRule.compile(
                    new RuleDefinition(
                            "r" + i,
                            "gh",
                            null,
                            effect,
                            conditions,
                            ruleTargets,
                            List.of("s" + random.nextInt(4)),
                            60 + random.nextInt(3000),
                            true),
                    DEFAULT_TTL));
        }
        IssuerPolicy policy = new IssuerPolicy(rules);
        JsonMapper json = JsonMapper.builder().build();
        for (int i = 0; i < 500; i++) {
            JsonNode claims = json.readTree("{\"repository_owner_id\":\"" + random.nextInt(60) + "\",\"ref\":\""
                    + (random.nextBoolean() ? "refs/heads/main" : "refs/heads/dev") + "\",\"groups\":[\"g"
                    + random.nextInt(5) + "\",\"g"
                    + random.nextInt(5) + "\"]}");
            List<String> scopes = random.nextInt(3) == 0 ? List.of("s" + random.nextInt(4)) : null;
            DecisionRequest request = new DecisionRequest("gh", claims, targets.get(random.nextInt(3)), scopes);
            Decision indexed = evaluator.evaluate(policy, request, false);
            Decision everything = evaluator.evaluate(policy, request, true);
            assertThat(indexed.getClass()).isEqualTo(everything.getClass());
            if (indexed instanceof Decision.Granted granted) {
                Decision.Granted full = (Decision.Granted) everything;
                assertThat(new java.util.HashSet<>(granted.scopes())).isEqualTo(new java.util.HashSet<>(full.scopes()));
                assertThat(granted.lifetime()).isEqualTo(full.lifetime());
            } else {
                assertThat(((Decision.Refused) indexed).error()).isEqualTo(((Decision.Refused) everything).error());
            }
            assertThat(indexed.trace().size())
                    .as("the index looks at a fraction of the rules")
                    .isLessThan(rules.size());
        }
    }

    @Test
    void indexFilesRulesUnderTheMostSelectiveClaimWhateverTheOrderOfConditions() {
        List<CompiledRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            rules.add(CompiledRule.compile(
                    new RuleDefinition(
                            "r" + i,
                            "gh",
                            null,
                            Effect.ALLOW,
                            List.of(
                                    new Condition("ref", Operator.EQUALS, "refs/heads/main", null),
                                    owner(String.valueOf(i))),
                            List.of(T),
                            List.of("deploy"),
                            null,
                            true),
                    DEFAULT_TTL));
        }

        Decision decision =
                evaluator.evaluate(new IssuerPolicy(rules), new DecisionRequest("gh", MAIN, T, null), false);

        assertThat(decision).isInstanceOf(Decision.Refused.class);
        assertThat(decision.trace())
                .as("only rules pinning owner 4242 (none) or no pin are candidates")
                .hasSizeLessThan(5);
    }

    @Test
    void disabledRuleNeverMatches() {
        CompiledRule disabled = CompiledRule.compile(
                new RuleDefinition(
                        "off", "gh", null, Effect.ALLOW, List.of(owner("4242")), List.of(T), List.of(), null, false),
                DEFAULT_TTL);

        Decision decision = decide(List.of(disabled), T, null);

        assertThat(((Decision.Refused) decision).error()).isEqualTo("invalid_request");
        assertThat(decision.trace().get(0).conditions().get(0).holds()).isTrue();
        assertThat(decision.trace().get(0).matched()).isFalse();
    }

    @Test
    void traceRecordsExpectedAndActualValues() {
        Decision decision = evaluator.evaluate(
                new IssuerPolicy(List.of(rule("a", Effect.ALLOW, owner("1"), List.of(T), List.of(), null))),
                new DecisionRequest("gh", MAIN, T, null),
                true);

        ConditionResult result = decision.trace().get(0).conditions().get(0);
        assertThat(result.expected()).isEqualTo("1");
        assertThat(result.actual()).containsExactly("4242");
        assertThat(result.holds()).isFalse();
    }
}
