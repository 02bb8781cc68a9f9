package dev.ferry.policy;

import dev.ferry.bench.GithubTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a refused exchange costs to decide and to record, by the number of rules of its issuer: the
 * cost anyone with a validly signed token from a public issuer can make Ferry pay, at will. Rule i
 * pins {@code repository_owner_id} to owner i and {@code ref} to one of a thousand release branches
 * (an {@code in} list of 1,000 values, the most a condition holds), for one target.
 *
 * <p>One operation is what {@code /token} does with the decision of a refusal: {@link
 * PolicyEvaluator#decide}'s evaluation, then the JSON of the audit row's decision-dependent and
 * claim columns as the audit writer serializes them. {@code unknownOwner}: a token of an owner no
 * rule names (the index yields no rule). {@code wrongTarget}: a token whose owner's rule matches,
 * asking for a target no rule grants ({@code invalid_target}). The setup prints each refusal's audit
 * row size; both it and the time per operation should not grow with {@code rules}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RefusalBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String OTHER_TARGET = "https://other.bench.example";

    @Param({"10", "10000"})
    public int rules;

    private PolicyEvaluator evaluator;
    private IssuerPolicy policy;
    private DecisionRequest unknownOwner;
    private DecisionRequest wrongTarget;

    @Setup
    public void setUp() {
        List<String> releases = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            releases.add("refs/heads/release-" + i);
        }
        List<CompiledRule> compiled = new ArrayList<>(rules);
        for (int i = 0; i < rules; i++) {
            compiled.add(CompiledRule.compile(
                    new RuleDefinition(
                            String.format("deploy-%05d", i),
                            GithubTokens.ISSUER_NAME,
                            null,
                            Effect.ALLOW,
                            List.of(
                                    new Condition("repository_owner_id", Operator.EQUALS, owner(i), null),
                                    new Condition("ref", Operator.IN, null, releases)),
                            List.of(GithubTokens.TARGET),
                            List.of("deploy"),
                            600,
                            true),
                    Duration.ofMinutes(15)));
        }
        policy = new IssuerPolicy(compiled);
        evaluator = new PolicyEvaluator(null, Duration.ofHours(1));
        unknownOwner = request(rules + 1, GithubTokens.TARGET);
        wrongTarget = request(7, OTHER_TARGET);
        for (DecisionRequest request : List.of(unknownOwner, wrongTarget)) {
            if (!(evaluator.evaluate(policy, request, false) instanceof Decision.Refused)) {
                throw new IllegalStateException("the benchmark request is not refused");
            }
        }
        System.out.printf(
                "%n[rules=%d] audit row (claims, decision, matched rules): unknownOwner %d bytes, wrongTarget %d bytes%n",
                rules, auditRow(unknownOwner), auditRow(wrongTarget));
    }

    private static String owner(int i) {
        return String.valueOf(GithubTokens.OWNER_BASE + i);
    }

    private static DecisionRequest request(int owner, String target) {
        Map<String, Object> claims = new LinkedHashMap<>(GithubTokens.claims(0, Instant.now(), Duration.ofHours(1)));
        claims.put("repository_owner_id", owner(owner));
        claims.put("ref", "refs/heads/release-3");
        JsonNode node = JSON.valueToTree(claims);
        return new DecisionRequest(GithubTokens.ISSUER_NAME, node, target, null);
    }

    /** The bytes of the audit columns that depend on the claims and the decision, as the writer makes them. */
    private int auditRow(DecisionRequest request) {
        Decision decision = evaluator.evaluate(policy, request, false);
        return JSON.writeValueAsBytes(request.claims()).length
                + JSON.writeValueAsBytes(decision.summary()).length
                + JSON.writeValueAsBytes(decision.matchedRules()).length;
    }

    @Benchmark
    public int unknownOwner() {
        return auditRow(unknownOwner);
    }

    @Benchmark
    public int wrongTarget() {
        return auditRow(wrongTarget);
    }

    /**
     * The same refusal as Ferry recorded it before: every rule of the issuer explained, and the whole
     * trace (every condition's expected values included) in the audit row. For comparison only.
     */
    @Benchmark
    public int unknownOwnerAsBefore() {
        Decision decision = evaluator.evaluate(policy, unknownOwner, true);
        return JSON.writeValueAsBytes(unknownOwner.claims()).length
                + JSON.writeValueAsBytes(decision.trace()).length
                + JSON.writeValueAsBytes(decision.matchedRules()).length;
    }
}
