package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An issuer with {@code replayProtection} accepts each subject-token {@code jti} once. */
class ReplayProtectionTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer issuer = new TestIssuer();

    private static final String TARGET = "https://replay.example.com";
    private static boolean configured;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        String name = unique("replay");
        Map<String, Object> definition = issuerFor(name, issuer.url(), TestIssuer.DEFAULT_AUDIENCE);
        definition.put("replayProtection", true);
        create("issuers", definition);
        create(
                "rules",
                rule(
                        unique("replay-allow"),
                        name,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        configured = true;
    }

    @Test
    void secondExchangeOfTheSameTokenIsRefused() {
        String token = issuer.github().sign();

        assertThat(exchange(token, TARGET).status()).isEqualTo(200);
        Response replay = exchange(token, TARGET);

        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.json().get("error").stringValue()).isEqualTo("invalid_request");
        assertThat(replay.json().get("error_description").stringValue()).contains("already exchanged");
        assertThat(auditEvent(replay.json().get("exchange_id").stringValue()).get("outcome"))
                .isEqualTo("refused");
    }

    @Test
    void refusalByPolicyDoesNotUseUpTheToken() {
        String token = issuer.github().sign();

        Response mistyped = exchange(token, "https://typo.example.com");
        assertThat(mistyped.json().get("error").stringValue()).isEqualTo("invalid_target");

        assertThat(exchange(token, TARGET).status()).isEqualTo(200);
    }

    @Test
    void tokenWithoutJtiIsRefused() {
        Response response = exchange(issuer.github().without("jti").sign(), TARGET);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("error_description").stringValue()).contains("needs a jti");
    }

    @Test
    void concurrentDuplicatesLetExactlyOneThrough() throws Exception {
        String token = issuer.github().sign();
        int attempts = 16;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                statuses.add(pool.submit(() -> {
                    start.await();
                    return exchange(token, TARGET).status();
                }));
            }
            start.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                results.add(status.get());
            }
            assertThat(results).filteredOn(s -> s == 200).hasSize(1);
            assertThat(results).filteredOn(s -> s == 400).hasSize(attempts - 1);
        } finally {
            pool.shutdownNow();
        }
    }
}
