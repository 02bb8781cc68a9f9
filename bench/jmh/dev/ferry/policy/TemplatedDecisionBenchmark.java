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
 * The decision on {@code rules} templated rules against as many literal ones (docs/rules.md, Templated
 * targets and scopes), as {@code POST /token} takes it. Rule i pins {@code repository_owner_id} to owner i
 * and {@code ref} to {@code refs/heads/main}. {@code literal}: its target is {@code
 * https://deploy.bench.example/ns/<repository id of owner i>} and its scope {@code deploy:<that id>},
 * written out; {@code templated}: {@code .../ns/${repository_id}} and {@code deploy:${repository_id}},
 * substituted at decision time (every rule then shares one literal prefix, so the target index yields all
 * of them and the claim index narrows them). {@code granted}: a token of owner 7 asking for its own
 * namespace; {@code wrongTarget}: the same token asking for owner 8's namespace; {@code unknownOwner}: a
 * token of an owner no rule names.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TemplatedDecisionBenchmark {

    private static final String NS = "https://deploy.bench.example/ns/";

    @Param({"10000"})
    public int rules;

    @Param({"literal", "templated"})
    public String targets;

    private PolicyEvaluator evaluator;
    private IssuerPolicy policy;
    private DecisionRequest granted;
    private DecisionRequest wrongTarget;
    private DecisionRequest unknownOwner;

    @Setup
    public void setUp() {
        if (!"literal".equals(targets) && !"templated".equals(targets)) {
            throw new IllegalArgumentException("targets is literal or templated");
        }
        Duration defaultTtl = Duration.ofMinutes(15);
        List<CompiledRule> compiled = new ArrayList<>(rules);
        for (int i = 0; i < rules; i++) {
            compiled.add(CompiledRule.compile(rule(i, "templated".equals(targets)), defaultTtl));
        }
        policy = new IssuerPolicy(compiled);
        evaluator = new PolicyEvaluator(null, Duration.ofHours(1));
        granted = request(7, repositoryId(7));
        wrongTarget = request(7, repositoryId(8));
        unknownOwner = request(rules + 1, repositoryId(rules + 1));
        if (!(evaluator.evaluate(policy, granted, false) instanceof Decision.Granted g)
                || !g.scopes().equals(List.of("deploy:" + repositoryId(7)))) {
            throw new IllegalStateException("the benchmark request is not granted its own namespace");
        }
        if (!(evaluator.evaluate(policy, wrongTarget, false) instanceof Decision.Refused)
                || !(evaluator.evaluate(policy, unknownOwner, false) instanceof Decision.Refused)) {
            throw new IllegalStateException("another owner's namespace, or an unknown owner, is not refused");
        }
    }

    /** The repository id the benchmark tokens of owner {@code n} carry. */
    private static String repositoryId(int owner) {
        return String.valueOf(900_000 + owner);
    }

    private static RuleDefinition rule(int i, boolean templated) {
        String id = templated ? "${repository_id}" : repositoryId(i);
        return new RuleDefinition(
                String.format("deploy-%05d", i),
                GithubTokens.ISSUER_NAME,
                null,
                Effect.ALLOW,
                List.of(
                        new Condition("repository_owner_id", Operator.EQUALS, GithubTokens.ownerId(i), null),
                        new Condition("ref", Operator.EQUALS, "refs/heads/main", null)),
                List.of(NS + id),
                List.of("deploy:" + id),
                600,
                true);
    }

    private static DecisionRequest request(int owner, String namespace) {
        JsonNode claims = JsonMapper.builder()
                .build()
                .valueToTree(GithubTokens.claims(owner, Instant.now(), Duration.ofHours(1)));
        return new DecisionRequest(GithubTokens.ISSUER_NAME, claims, NS + namespace, null);
    }

    @Benchmark
    public Decision granted() {
        return evaluator.evaluate(policy, granted, false);
    }

    @Benchmark
    public Decision wrongTarget() {
        return evaluator.evaluate(policy, wrongTarget, false);
    }

    @Benchmark
    public Decision unknownOwner() {
        return evaluator.evaluate(policy, unknownOwner, false);
    }
}
