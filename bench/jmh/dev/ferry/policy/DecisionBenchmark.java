package dev.ferry.policy;

import dev.ferry.bench.GithubTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * The decision for one issuer holding {@code rules} rules, as {@code POST /token} takes it
 * ({@link PolicyEvaluator#decide}: {@code evaluate(policy, request, false)}), on an {@link IssuerPolicy}
 * compiled from the definitions as {@code RuleBook} compiles them. Rule i allows the one target when
 * {@code repository_owner_id} equals owner {@code i % 1000} and {@code ref} equals
 * {@code refs/heads/main}: 10 rules cover 10 owners, 1,000 and 10,000 rules cover 1,000 owners (10,000:
 * ten rules per owner). {@code granted}: a token of owner 7 (matched by 1, 1 and 10 rules).
 * {@code refused}: a token of an owner no rule names, the answer an unknown repository gets.
 *
 * <p>{@code order}: {@code owner-first} lists the owner condition first, {@code ref-first} the
 * {@code ref} condition first (same rules, same decisions); run {@code -p order=owner-first,ref-first}
 * to see whether the rule index depends on the order in which a rule lists its conditions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecisionBenchmark {

    private static final int OWNERS = 1000;

    @Param({"10", "1000", "10000"})
    public int rules;

    @Param({"owner-first"})
    public String order;

    private PolicyEvaluator evaluator;
    private IssuerPolicy policy;
    private DecisionRequest granted;
    private DecisionRequest refused;

    @Setup
    public void setUp() {
        Duration defaultTtl = Duration.ofMinutes(15);
        if (!"owner-first".equals(order) && !"ref-first".equals(order)) {
            throw new IllegalArgumentException("order is owner-first or ref-first");
        }
        List<CompiledRule> compiled = new ArrayList<>(rules);
        for (int i = 0; i < rules; i++) {
            compiled.add(CompiledRule.compile(rule(i, "ref-first".equals(order)), defaultTtl));
        }
        policy = new IssuerPolicy(compiled);
        evaluator = new PolicyEvaluator(null, Duration.ofHours(1));
        granted = request(7);
        refused = request(OWNERS + 1);
        if (!(evaluator.evaluate(policy, granted, false) instanceof Decision.Granted)) {
            throw new IllegalStateException("the benchmark request is not granted");
        }
        if (!(evaluator.evaluate(policy, refused, false) instanceof Decision.Refused)) {
            throw new IllegalStateException("the unknown owner is not refused");
        }
    }

    private static RuleDefinition rule(int i, boolean refFirst) {
        Condition owner = new Condition("repository_owner_id", Operator.EQUALS, GithubTokens.ownerId(i % OWNERS), null);
        Condition ref = new Condition("ref", Operator.EQUALS, "refs/heads/main", null);
        return new RuleDefinition(
                String.format("deploy-%05d", i),
                GithubTokens.ISSUER_NAME,
                null,
                Effect.ALLOW,
                refFirst ? List.of(ref, owner) : List.of(owner, ref),
                List.of(GithubTokens.TARGET),
                List.of("deploy"),
                600,
                true);
    }

    private static DecisionRequest request(int owner) {
        JsonNode claims = JsonMapper.builder()
                .build()
                .valueToTree(GithubTokens.claims(owner, Instant.now(), Duration.ofHours(1)));
        return new DecisionRequest(GithubTokens.ISSUER_NAME, claims, GithubTokens.TARGET, null);
    }

    @Benchmark
    public Decision granted() {
        return evaluator.evaluate(policy, granted, false);
    }

    @Benchmark
    public Decision refused() {
        return evaluator.evaluate(policy, refused, false);
    }
}
