package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The rule index through random additions and removals: its candidates never hold a removed rule and
 * always hold every rule that matches, whichever claim each rule was filed under as the selectivity of
 * the claims shifted; emptied, it holds nothing.
 */
class RuleIndexTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> OWNERS = List.of("1", "2", "3");
    private static final List<String> REPOSITORIES = List.of("10", "11", "12", "13", "14", "15");
    private static final List<String> REFS = List.of("refs/heads/main", "refs/heads/dev");

    private final Random random = new Random(20261205);

    @Test
    void candidatesAreExactlyASupersetOfTheMatchingRulesThroughRandomAdditionsAndRemovals() {
        RuleIndex index = new RuleIndex();
        Map<String, CompiledRule> present = new LinkedHashMap<>();
        for (int step = 0; step < 1_500; step++) {
            int choice = present.isEmpty() ? 0 : random.nextInt(10);
            if (choice < 5) {
                CompiledRule added = rule("rule-" + step);
                index.add(added);
                present.put(added.name(), added);
            } else if (choice < 8) {
                CompiledRule removed = present.remove(pick(new ArrayList<>(present.keySet())));
                index.remove(removed);
            } else {
                // A replaced rule: the old one out, the new one, under the same name, in.
                String name = pick(new ArrayList<>(present.keySet()));
                index.remove(present.get(name));
                CompiledRule replacement = rule(name);
                index.add(replacement);
                present.put(name, replacement);
            }
            assertThat(index.size()).isEqualTo(present.size());
            assertCandidates(index, present, "step " + step);
        }
        for (CompiledRule rule : List.copyOf(present.values())) {
            index.remove(rule);
            present.remove(rule.name());
            assertCandidates(index, present, "emptying");
        }
        assertThat(index.isEmpty()).isTrue();
        index.remove(rule("never-added"));
        assertThat(index.size())
                .as("removing a rule that is not there changes nothing")
                .isZero();
    }

    @Test
    void rulesGivenToTheConstructorCanBeRemovedOneByOne() {
        List<CompiledRule> rules = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rules.add(rule("rule-" + i));
        }
        RuleIndex index = new RuleIndex(rules);
        Map<String, CompiledRule> present = new LinkedHashMap<>();
        rules.forEach(r -> present.put(r.name(), r));
        assertCandidates(index, present, "built");
        for (CompiledRule rule : rules) {
            index.remove(rule);
            present.remove(rule.name());
            assertCandidates(index, present, "after removing " + rule.name());
        }
        assertThat(index.isEmpty()).isTrue();
    }

    private void assertCandidates(RuleIndex index, Map<String, CompiledRule> present, String when) {
        for (int i = 0; i < 5; i++) {
            JsonNode claims = claims();
            Set<String> candidates =
                    index.candidates(claims).stream().map(CompiledRule::name).collect(Collectors.toSet());
            Set<String> matching = present.values().stream()
                    .filter(r -> r.evaluate(claims, "t").matched())
                    .map(CompiledRule::name)
                    .collect(Collectors.toSet());
            assertThat(present.keySet())
                    .as("%s: no removed rule among the candidates", when)
                    .containsAll(candidates);
            assertThat(candidates)
                    .as("%s: every matching rule among the candidates", when)
                    .containsAll(matching);
            for (String name : candidates) {
                assertThat(index.candidates(claims).stream()
                                .filter(r -> r.name().equals(name))
                                .allMatch(r -> r == present.get(name)))
                        .as("%s: %s is the rule that is in the index now, not an earlier one of its name", when, name)
                        .isTrue();
            }
        }
    }

    private JsonNode claims() {
        ObjectNode claims = JSON.createObjectNode()
                .put("repository_owner_id", pick(OWNERS))
                .put("repository_id", pick(REPOSITORIES))
                .put("ref", pick(REFS));
        if (random.nextBoolean()) {
            claims.put("environment", "prod");
        }
        return claims;
    }

    /**
     * A rule pinning some of owner, repository and ref (by equals or in), or none, in any order;
     * sometimes an exists, an empty in, or a second pin of the repository.
     */
    private CompiledRule rule(String name) {
        List<Condition> conditions = new ArrayList<>();
        if (random.nextInt(3) > 0) {
            conditions.add(
                    random.nextBoolean()
                            ? new Condition("repository_owner_id", Operator.EQUALS, pick(OWNERS), null)
                            : new Condition(
                                    "repository_owner_id", Operator.IN, null, List.of(pick(OWNERS), pick(OWNERS))));
        }
        if (random.nextInt(3) > 0) {
            conditions.add(new Condition("repository_id", Operator.EQUALS, pick(REPOSITORIES), null));
        }
        if (random.nextBoolean()) {
            conditions.add(new Condition("ref", Operator.EQUALS, pick(REFS), null));
        }
        if (random.nextInt(4) == 0) {
            conditions.add(new Condition("environment", Operator.EXISTS, null, null));
        }
        if (random.nextInt(8) == 0) {
            conditions.add(new Condition("repository_owner_id", Operator.IN, null, List.of()));
        }
        if (random.nextInt(6) == 0) {
            // A second pin on a claim already pinned, with a value repeated: filed under one, looked for under both.
            conditions.add(new Condition(
                    "repository_id",
                    Operator.IN,
                    null,
                    List.of(pick(REPOSITORIES), pick(REPOSITORIES), pick(REPOSITORIES))));
        }
        Collections.shuffle(conditions, random);
        return CompiledRule.compile(
                new RuleDefinition(
                        name, "gh", null, Effect.ALLOW, conditions, List.of("t"), List.of("deploy"), null, true),
                Duration.ofMinutes(15));
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
