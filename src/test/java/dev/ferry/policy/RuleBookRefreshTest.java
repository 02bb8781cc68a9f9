package dev.ferry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryApplication;
import dev.ferry.FerryIntegrationTest;
import dev.ferry.TestDatabase;
import dev.ferry.core.ConfigRevision;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import dev.ferry.federation.IssuerType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each replica applies definition changes one by one to its in-memory rule book instead of reloading
 * every rule; this checks, property-style, that it never keeps a deleted, disabled or changed rule
 * nor misses a new one. Two replicas on one database: random writes on the first (creates, changes,
 * disables, deletes, moves to another issuer, deny rules, several targets, {@code equals}, {@code in}
 * and globs), and after each, random decisions on both compared with those of a rule book loaded
 * whole from the database. The second follows by polling the change log, and, once it has fallen
 * further behind than the log reaches, by a full reload.
 */
@Tag("postgresql")
@ExtendWith(TestDatabase.Available.class)
class RuleBookRefreshTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> TARGETS = List.of("https://a.example.com", "https://b.example.com");
    private static final List<String> ISSUERS = List.of("ci-one", "ci-two");
    private static final List<String> OWNERS = List.of("1", "2", "3", "4", "5", "6");
    private static final List<String> REFS = List.of("refs/heads/main", "refs/heads/dev", "refs/tags/v1");

    @TempDir
    Path dir;

    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private ConfigurableApplicationContext writer;
    private ConfigurableApplicationContext follower;
    private final Random random = new Random(20261205);

    @AfterEach
    void stop() {
        started.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext replica(String databaseUrl) {
        int port = FerryIntegrationTest.freePort();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FerryApplication.class)
                .run(
                        "--server.port=" + port,
                        "--ferry.issuer=https://ferry.example.com",
                        "--ferry.data-dir=" + dir,
                        "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY,
                        "--ferry.cache.refresh=1h",
                        "--ferry.keys.rotation-check-interval=1d",
                        "--spring.datasource.url=" + databaseUrl,
                        "--spring.flyway.schemas=" + (TestDatabase.POSTGRESQL.selected() ? "ferry_refresh" : ""));
        started.add(context);
        return context;
    }

    @Test
    void incrementalRefreshDecidesAsAFullReloadThroughRandomWrites() {
        startReplicas();
        RuleService rules = writer.getBean(RuleService.class);
        List<String> names = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            write(rules, names, step);
            assertSameDecisions(writer, rules, "the writing replica after step " + step);
            if (step % 10 == 9) {
                follower.getBean(ConfigRevision.class).poll();
                assertSameDecisions(follower, rules, "the polling replica after step " + step);
            }
        }

        // Further behind than the log reaches: the follower reloads everything.
        for (int step = 300; step < 320; step++) {
            write(rules, names, step);
        }
        writer.getBean(JdbcTemplate.class).update("delete from definition_change");
        follower.getBean(ConfigRevision.class).poll();
        assertSameDecisions(follower, rules, "the polling replica after a full reload");
    }

    @Test
    void moreChangesAtOnceThanAreAppliedOneByOneReloadEverything() {
        startReplicas();
        RuleService rules = writer.getBean(RuleService.class);
        int count = ConfigRevision.MAX_CHANGES + 200;
        // One transaction, as an import: too many names to read back by a list of them.
        writer.getBean(TransactionTemplate.class).executeWithoutResult(status -> {
            for (int i = 0; i < count; i++) {
                rules.create(randomRule("bulk-" + i));
            }
        });
        assertThat(rules.list()).hasSize(count);
        assertSameDecisions(writer, rules, "the writing replica after one transaction of " + count + " rules");
        follower.getBean(ConfigRevision.class).poll();
        assertSameDecisions(follower, rules, "the polling replica after " + count + " changes");
    }

    @Test
    void aChangeThatCannotBeAppliedIsReloadedWithEverythingAtTheNextPoll() {
        startReplicas();
        RuleService rules = writer.getBean(RuleService.class);
        List<String> names = new ArrayList<>();
        for (int step = 0; step < 20; step++) {
            write(rules, names, step);
        }
        follower.getBean(ConfigRevision.class).poll();
        assertSameDecisions(follower, rules, "the polling replica before the failure");

        // A change the follower cannot read when it polls (as if the database failed mid-read).
        String changed = names.get(0);
        rules.replace(
                changed,
                new RuleDefinition(
                        changed,
                        ISSUERS.get(0),
                        null,
                        Effect.ALLOW,
                        List.of(new Condition("owner", Operator.EQUALS, "9", null)),
                        List.of(TARGETS.get(0)),
                        List.of("deploy"),
                        600,
                        true),
                null);
        JdbcTemplate jdbc = writer.getBean(JdbcTemplate.class);
        String conditions =
                jdbc.queryForObject("select conditions from trust_rule where name = ?", String.class, changed);
        jdbc.update("update trust_rule set conditions = '[{' where name = ?", changed);
        follower.getBean(ConfigRevision.class).poll();

        // Readable again, and more changes: the follower reloads everything, not just the later changes.
        jdbc.update("update trust_rule set conditions = ? where name = ?", conditions, changed);
        String later = "rule-later";
        rules.create(randomRule(later));
        names.add(later);
        follower.getBean(ConfigRevision.class).poll();
        assertSameDecisions(follower, rules, "the polling replica after it failed to apply a change");
        DecisionRequest onlyTheChangedRuleGrants = new DecisionRequest(
                ISSUERS.get(0), JSON.createObjectNode().put("sub", "s").put("owner", "9"), TARGETS.get(0), null);
        assertThat(follower.getBean(PolicyEvaluator.class).decide(onlyTheChangedRuleGrants))
                .as("the change the follower failed to apply, applied by the full reload")
                .isInstanceOf(Decision.Granted.class);
    }

    /** Two replicas on one fresh database, with the issuers the rules use. */
    private void startReplicas() {
        String url = TestDatabase.POSTGRESQL.selected()
                ? TestDatabase.freshPostgresSchema("ferry_refresh")
                : "jdbc:h2:file:" + dir.resolve("ferry");
        writer = replica(url);
        follower = replica(url);
        IssuerService issuers = writer.getBean(IssuerService.class);
        for (String issuer : ISSUERS) {
            issuers.create(new IssuerDefinition(
                    issuer,
                    IssuerType.OIDC,
                    "https://" + issuer + ".example.com",
                    null,
                    jwks(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null));
        }
    }

    private void write(RuleService rules, List<String> names, int step) {
        int choice = names.isEmpty() ? 0 : random.nextInt(11);
        if (choice < 4) {
            String name = "rule-" + step;
            rules.create(randomRule(name));
            names.add(name);
        } else if (choice < 8) {
            rules.replace(names.get(random.nextInt(names.size())), randomRule(null), null);
        } else if (choice < 10) {
            rules.delete(names.remove(random.nextInt(names.size())));
        } else {
            // As an import creates a chunk of new rules: in one transaction, in statement batches.
            List<RuleDefinition> batch = new ArrayList<>();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                batch.add(rules.normalize(randomRule("rule-" + step + "-" + k)));
            }
            writer.getBean(TransactionTemplate.class).executeWithoutResult(status -> rules.createAll(batch));
            batch.forEach(rule -> names.add(rule.name()));
        }
    }

    private RuleDefinition randomRule(String name) {
        List<Condition> conditions = new ArrayList<>();
        switch (random.nextInt(4)) {
            case 0 -> conditions.add(new Condition("owner", Operator.EQUALS, pick(OWNERS), null));
            case 1 -> conditions.add(new Condition("owner", Operator.IN, null, List.of(pick(OWNERS), pick(OWNERS))));
            case 2 -> conditions.add(new Condition("ref", Operator.GLOB, "refs/heads/*", null));
            default -> conditions.add(new Condition("env", Operator.EXISTS, null, null));
        }
        if (random.nextBoolean()) {
            conditions.add(new Condition("ref", Operator.EQUALS, pick(REFS), null));
        }
        boolean deny = random.nextInt(5) == 0;
        List<String> targets =
                deny && random.nextBoolean() ? List.of() : random.nextBoolean() ? List.of(pick(TARGETS)) : TARGETS;
        return new RuleDefinition(
                name,
                pick(ISSUERS),
                null,
                deny ? Effect.DENY : Effect.ALLOW,
                conditions,
                targets,
                deny ? List.of() : List.of(random.nextBoolean() ? "deploy" : "read"),
                60 * (1 + random.nextInt(10)),
                random.nextInt(6) != 0);
    }

    /** Decisions of the replica's rule book (as /token takes them) equal those of a rule book loaded whole. */
    private void assertSameDecisions(ConfigurableApplicationContext replica, RuleService rules, String when) {
        PolicyEvaluator live = replica.getBean(PolicyEvaluator.class);
        RuleBook full = new RuleBook(rules, null, Duration.ofMinutes(15));
        full.apply(new dev.ferry.core.TrustConfigurationChanged(0, List.of(), true));
        PolicyEvaluator reference = new PolicyEvaluator(full, Duration.ofHours(1));
        for (int i = 0; i < 20; i++) {
            ObjectNode claims = JSON.createObjectNode()
                    .put("sub", "s")
                    .put("owner", pick(OWNERS))
                    .put("ref", pick(REFS));
            if (random.nextBoolean()) {
                claims.put("env", "prod");
            }
            List<String> scopes = random.nextInt(3) == 0 ? List.of("deploy") : null;
            DecisionRequest request = new DecisionRequest(pick(ISSUERS), claims, pick(TARGETS), scopes);
            assertThat(summary(live.decide(request)))
                    .as("%s, for %s", when, request)
                    .isEqualTo(summary(reference.decide(request)));
        }
    }

    private static String summary(Decision decision) {
        return decision instanceof Decision.Granted g
                ? "granted " + g.scopes() + " " + g.lifetime() + " " + g.grantedScopes()
                : "refused " + ((Decision.Refused) decision).error();
    }

    private String pick(List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static JsonNode jwks() {
        return JSON.readTree("""
                {"keys": [{"kty": "EC", "crv": "P-256", "kid": "k",
                  "x": "WKn-ZIGevcwGIyyrzFoZNBdaq9_TsqzGl96oc0CWuis", "y": "y77t-RvAHRKTsSGdIYUfweuOvwrvDD-Q3Hv5J0fSKbE"}]}""");
    }
}
