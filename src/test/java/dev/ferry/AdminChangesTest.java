package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Optimistic concurrency, cascading deletes, and the audit trail of admin changes. */
class AdminChangesTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer issuer = new TestIssuer();

    private String newIssuer() {
        String name = unique("changes");
        create("issuers", issuerFor(name, issuer.url() + "/" + name, TestIssuer.DEFAULT_AUDIENCE));
        return name;
    }

    private Map<String, Object> newRule(String issuerName) {
        return rule(
                unique("changes-rule"),
                issuerName,
                "allow",
                List.of(condition("repository_owner_id", "equals", "4242")),
                List.of("https://changes.example.com"),
                List.of("deploy"));
    }

    private Response put(String path, Object body, String ifMatch) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + BOOTSTRAP_TOKEN)
                .header("Content-Type", "application/json")
                .header("If-Match", ifMatch)
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build());
    }

    @Test
    void putWithStaleIfMatchIsPreconditionFailedAndChangesNothing() {
        Map<String, Object> rule = newRule(newIssuer());
        String path = "/admin/v1/rules/" + rule.get("name");
        create("rules", rule);
        Response read = admin("GET", path, null);
        assertThat(read.header("ETag")).isEqualTo("\"0\"");

        rule.put("scopes", List.of("deploy", "read"));
        Response first = put(path, rule, read.header("ETag"));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.header("ETag")).isEqualTo("\"1\"");

        rule.put("scopes", List.of("admin"));
        Response stale = put(path, rule, read.header("ETag"));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().get("type").stringValue()).isEqualTo("urn:ferry:problem:precondition-failed");
        assertThat(admin("GET", path, null).json().get("scopes").toString()).isEqualTo("[\"deploy\",\"read\"]");

        assertThat(put(path, rule, "not-an-etag").status()).isEqualTo(400);
    }

    @Test
    void ofConcurrentPutsWithTheSameIfMatchOneWinsAndEveryOtherIsPreconditionFailed() throws Exception {
        Map<String, Object> rule = newRule(newIssuer());
        String path = "/admin/v1/rules/" + rule.get("name");
        create("rules", rule);
        String etag = admin("GET", path, null).header("ETag");

        // Released together: a loser finds either the new version at its check (412) or loses the
        // race to write, found by the optimistic lock, which with If-Match is the same 412, not a 409.
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            Map<String, Object> change = new LinkedHashMap<>(rule);
            change.put("scopes", List.of("deploy", "writer-" + i));
            statuses.add(pool.submit(() -> {
                start.await();
                return put(path, change, etag).status();
            }));
        }
        start.countDown();
        List<Integer> answers = new ArrayList<>();
        for (Future<Integer> status : statuses) {
            answers.add(status.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertThat(answers).as("%s", answers).containsOnly(200, 412);
        assertThat(answers.stream().filter(s -> s == 200).count())
                .as("%s", answers)
                .isEqualTo(1);
        assertThat(admin("GET", path, null).header("ETag")).isEqualTo("\"1\"");
    }

    @Test
    void issuerWithRulesIsDeletedOnlyWithCascade() {
        String issuerName = newIssuer();
        Map<String, Object> rule = newRule(issuerName);
        create("rules", rule);

        Response refused = admin("DELETE", "/admin/v1/issuers/" + issuerName, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").stringValue()).contains("cascade=true");
        assertThat(admin("GET", "/admin/v1/rules/" + rule.get("name"), null).status())
                .isEqualTo(200);

        assertThat(admin("DELETE", "/admin/v1/issuers/" + issuerName + "?cascade=true", null)
                        .status())
                .isEqualTo(204);
        assertThat(admin("GET", "/admin/v1/rules/" + rule.get("name"), null).status())
                .isEqualTo(404);
        assertThat(admin("GET", "/admin/v1/issuers/" + issuerName, null).status())
                .isEqualTo(404);
    }

    @Test
    void adminChangesAreAuditedWithPrincipalAndBeforeAfter() {
        Map<String, Object> rule = newRule(newIssuer());
        String name = (String) rule.get("name");
        create("rules", rule);
        rule.put("ttlSeconds", 300);
        assertThat(admin("PUT", "/admin/v1/rules/" + name, rule).status()).isEqualTo(200);
        assertThat(admin("DELETE", "/admin/v1/rules/" + name, null).status()).isEqualTo(204);

        JsonNode events = admin("GET", "/admin/v1/audit?kind=admin&rule=" + name, null)
                .json()
                .get("events");

        assertThat(events).hasSize(3);
        assertThat(events.get(0).get("action").stringValue()).isEqualTo("delete");
        assertThat(events.get(0).get("before").get("ttlSeconds").asInt()).isEqualTo(300);
        assertThat(events.get(0).has("after")).isFalse();
        assertThat(events.get(1).get("action").stringValue()).isEqualTo("replace");
        assertThat(events.get(1).get("before").get("ttlSeconds").isNull()).isTrue();
        assertThat(events.get(1).get("after").get("ttlSeconds").asInt()).isEqualTo(300);
        assertThat(events.get(2).get("action").stringValue()).isEqualTo("create");
        assertThat(events.get(2).get("principal").stringValue()).isEqualTo("bootstrap");
        assertThat(events.get(2).get("entityType").stringValue()).isEqualTo("rule");
    }

    @Test
    void refusedWriteLeavesNoAuditEvent() {
        String issuerName = newIssuer();
        Map<String, Object> rule = newRule(issuerName);
        rule.put("conditions", List.of());

        assertThat(admin("POST", "/admin/v1/rules", rule).status()).isEqualTo(400);

        assertThat(admin("GET", "/admin/v1/audit?kind=admin&rule=" + rule.get("name"), null)
                        .json()
                        .get("events"))
                .isEmpty();
    }
}
