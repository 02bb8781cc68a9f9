package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** {@code /admin/v1/audit}: find why a CI run was refused; filter, page, newest first. */
class AuditApiTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://audit.example.com";
    private static boolean configured;
    private static String issuerName;
    private static String ruleName;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        issuerName = unique("audit");
        create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        ruleName = unique("audit-allow");
        create(
                "rules",
                rule(
                        ruleName,
                        issuerName,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        configured = true;
    }

    private JsonNode audit(String query) {
        flushAudit();
        Response response = admin("GET", "/admin/v1/audit" + query, null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    @Test
    void refusedRunIsFoundByItsExchangeIdWithEveryReason() {
        Response refused =
                exchange(ci.github().claim("repository_owner_id", "666").sign(), TARGET);
        String exchangeId = refused.json().get("exchange_id").stringValue();
        flushAudit();

        JsonNode event = admin("GET", "/admin/v1/audit/" + exchangeId, null).json();

        assertThat(event.get("kind").stringValue()).isEqualTo("exchange");
        assertThat(event.get("outcome").stringValue()).isEqualTo("refused");
        assertThat(event.get("error").stringValue()).isEqualTo("invalid_request");
        assertThat(event.get("issuer").stringValue()).isEqualTo(issuerName);
        assertThat(event.get("claims").get("repository_owner_id").stringValue())
                .as("the verified claims are kept, to explain the refusal again")
                .isEqualTo("666");
        assertThat(event.get("decision").get("rules"))
                .as("the index looked at no rule: the only rule pins another owner")
                .isEmpty();
        JsonNode explained = admin("POST", "/admin/v1/evaluate", java.util.Map.of("exchangeId", exchangeId))
                .json();
        JsonNode condition = explained.get("rules").get(0).get("conditions").get(0);
        assertThat(condition.get("expected").stringValue()).isEqualTo("4242");
        assertThat(condition.get("actual").get(0).stringValue()).isEqualTo("666");
        assertThat(condition.get("holds").asBoolean()).isFalse();
        assertThat(admin("GET", "/admin/v1/audit/no-such-id", null).status()).isEqualTo(404);
    }

    @Test
    void filtersNarrowAndPagesWalkNewestFirst() {
        Instant since = Instant.now().minusSeconds(1);
        for (int i = 0; i < 5; i++) {
            exchange(ci.github().sign(), TARGET);
        }
        exchange(ci.github().claim("repository_owner_id", "1").sign(), TARGET);

        JsonNode issued = audit("?issuer=" + issuerName + "&outcome=issued&since=" + since);
        assertThat(issued.get("events")).hasSize(5);
        assertThat(audit("?issuer=" + issuerName + "&outcome=refused&since=" + since)
                        .get("events"))
                .hasSize(1);
        assertThat(audit("?kind=exchange&rule=" + ruleName + "&since=" + since).get("events"))
                .hasSize(5);
        assertThat(audit("?target=" + TARGET + "&issuer=" + issuerName + "&since=" + since)
                        .get("events"))
                .hasSize(6);
        assertThat(audit("?subject=repo:acme/app:ref:refs/heads/main&issuer=" + issuerName + "&since=" + since)
                        .get("events"))
                .hasSize(6);
        assertThat(audit("?issuer=" + issuerName + "&kind=exchange&until=" + since)
                        .get("events"))
                .isEmpty();
        assertThat(audit("?kind=admin&rule=" + ruleName).get("events")).hasSize(1);

        List<Instant> times = new ArrayList<>();
        List<String> walked = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = audit("?issuer=" + issuerName + "&kind=exchange&since=" + since + "&limit=2"
                    + (cursor.isEmpty() ? "" : "&cursor=" + cursor));
            assertThat(page.get("events").size()).isLessThanOrEqualTo(2);
            page.get("events").forEach(e -> {
                walked.add(e.get("id").stringValue());
                times.add(Instant.parse(e.get("occurredAt").stringValue()));
            });
            cursor = page.get("next") == null || page.get("next").isNull()
                    ? ""
                    : page.get("next").stringValue();
        } while (!cursor.isEmpty());
        assertThat(walked).hasSize(6).doesNotHaveDuplicates();
        assertThat(times)
                .isSortedAccordingTo(
                        java.util.Comparator.<Instant>naturalOrder().reversed());
    }

    @Test
    void badParametersAreProblems() {
        assertThat(admin("GET", "/admin/v1/audit?since=yesterday", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("since");
        assertThat(admin("GET", "/admin/v1/audit?limit=0", null).status()).isEqualTo(400);
        assertThat(admin("GET", "/admin/v1/audit?outcome=Refused", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("outcome");
        assertThat(admin("GET", "/admin/v1/audit?kind=exchanges", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("kind");
        assertThat(admin("GET", "/admin/v1/audit?cursor=%25%25", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("cursor");
        // A parameter name the firewall refuses, read inside the controller: a 400 that does not quote it.
        Response controlCharacter = admin("GET", "/admin/v1/audit?a%0Ab=1", null);
        assertThat(controlCharacter.status()).as(controlCharacter.body()).isEqualTo(400);
        assertThat(controlCharacter.json().get("type").stringValue()).isEqualTo("urn:ferry:problem:malformed-request");
        // A misspelt filter would silently widen the search to everything.
        assertThat(admin("GET", "/admin/v1/audit?subjet=x", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("subjet");
        // Instants Java parses but the database's timestamps cannot hold.
        assertThat(admin("GET", "/admin/v1/audit?since=%2B999999999-12-31T23:59:59Z", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("since");
        assertThat(admin("GET", "/admin/v1/audit?until=-999999999-01-01T00:00:00Z", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("until");
        assertThat(admin("GET", "/admin/v1/audit?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", null)
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("until");
    }
}
