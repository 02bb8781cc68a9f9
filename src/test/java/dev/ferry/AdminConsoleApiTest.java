package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * What an editor (the console, a Terraform provider) needs of the admin API besides plain writes:
 * dry runs of writes that validate and lint exactly as the real write and store nothing, rules a
 * page at a time, and the state of an issuer's keys.
 */
class AdminConsoleApiTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    @RegisterExtension
    static final TestIssuer down = new TestIssuer();

    private static final String TARGET = "https://console-api.example.com";

    @Test
    void aDryRunOfARuleValidatesAndLintsAsTheWriteWouldAndStoresNothing() {
        String issuer = unique("dry");
        create("issuers", issuerFor(issuer, ci.url() + "/dry", TestIssuer.DEFAULT_AUDIENCE));
        String name = unique("dry-rule");
        Map<String, Object> unpinned = rule(
                name,
                issuer,
                "allow",
                List.of(condition("ref", "equals", "refs/heads/main")),
                List.of(TARGET),
                List.of());
        // Unpinned on purpose, to be linted: ferry.lint.refuse would refuse it unless acknowledged.
        unpinned.put(
                "acknowledged",
                List.of(Map.of("code", "unbound-identity", "reason", "a test of the linter's warnings")));
        long auditBefore = adminEvents();

        Response preview = admin("POST", "/admin/v1/rules?dryRun=true", unpinned);

        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.header("Location")).isNull();
        assertThat(preview.json().get("name").stringValue()).isEqualTo(name);
        assertThat(preview.json().get("enabled").asBoolean())
                .as("defaults filled in")
                .isTrue();
        assertThat(preview.json().get("warnings").toString()).contains("github-not-pinned-to-id");
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).status())
                .as("nothing stored")
                .isEqualTo(404);
        assertThat(adminEvents()).as("nothing audited").isEqualTo(auditBefore);

        Response invalid = admin(
                "POST",
                "/admin/v1/rules?dryRun=true",
                rule(name, issuer, "allow", List.of(condition("ref", "regex", "(")), List.of(TARGET), List.of()));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("field").stringValue()).isEqualTo("conditions[0].value");

        create("rules", unpinned);
        Response duplicate = admin("POST", "/admin/v1/rules?dryRun=true", unpinned);
        assertThat(duplicate.status()).as("a dry run meets the same conflicts").isEqualTo(409);

        Map<String, Object> pinned = rule(
                name,
                issuer,
                "allow",
                List.of(
                        condition("repository_owner_id", "equals", "4242"),
                        condition("ref", "equals", "refs/heads/main")),
                List.of(TARGET),
                List.of());
        Response replaced = admin("PUT", "/admin/v1/rules/" + name + "?dryRun=true", pinned);
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("warnings").toString()).doesNotContain("github-not-pinned-to-id");
        assertThat(admin("GET", "/admin/v1/rules/" + name, null).json().get("conditions"))
                .as("the stored rule is unchanged")
                .hasSize(1);
    }

    @Test
    void aDryRunOfAnIssuerShowsItsDefaultsAndStoresNothing() {
        String issuer = unique("dry-issuer");
        Response preview = admin("POST", "/admin/v1/issuers?dryRun=true", Map.of("name", issuer, "type", "gitlab"));

        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.json().get("issuerUrl").stringValue()).isEqualTo("https://gitlab.com");
        assertThat(preview.json().get("claimMappings").has("project_id")).isTrue();
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null).status()).isEqualTo(404);
    }

    @Test
    void rulesComeAPageAtATimeInNameOrderWithTheNextPageLinked() {
        String issuer = unique("paged");
        create("issuers", issuerFor(issuer, ci.url() + "/paged", TestIssuer.DEFAULT_AUDIENCE));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String name = issuer + "-rule-" + i;
            names.add(name);
            create(
                    "rules",
                    rule(
                            name,
                            issuer,
                            "allow",
                            List.of(condition("repository_owner_id", "equals", String.valueOf(i))),
                            List.of(TARGET),
                            List.of()));
        }

        List<String> seen = new ArrayList<>();
        String next = "/admin/v1/rules?issuer=" + issuer + "&limit=3";
        int pages = 0;
        while (next != null) {
            Response page = admin("GET", next, null);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().size()).isLessThanOrEqualTo(3);
            page.json().forEach(rule -> seen.add(rule.get("name").stringValue()));
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
            if (link != null) {
                assertThat(link).endsWith("; rel=\"next\"");
            }
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(names);

        assertThat(admin("GET", "/admin/v1/rules?limit=0", null).status()).isEqualTo(400);
        Response badCursor = admin("GET", "/admin/v1/rules?limit=2&cursor=%21%21", null);
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.json().get("field").stringValue()).isEqualTo("cursor");
        assertThat(admin("GET", "/admin/v1/rules?issuer=" + issuer, null).json())
                .hasSize(7);
    }

    @Test
    void anIssuersKeyStateShowsWhereItsKeysComeFromAndWhenTheyWereFetched() {
        String issuer = unique("keys");
        create("issuers", issuerFor(issuer, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        JsonNode before =
                admin("GET", "/admin/v1/issuers/" + issuer + "/keys", null).json();
        assertThat(before.get("source").stringValue()).isEqualTo("discovery");
        assertThat(before.has("lastFetchedAt")).as("nothing fetched yet").isFalse();
        create(
                "rules",
                rule(
                        unique("keys-rule"),
                        issuer,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of()));
        assertThat(exchange(ci.github().sign(), TARGET).status()).isEqualTo(200);

        JsonNode after =
                admin("GET", "/admin/v1/issuers/" + issuer + "/keys", null).json();

        assertThat(after.get("jwksUri").stringValue()).isEqualTo(ci.jwksUri());
        assertThat(after.get("lastFetchedAt").isString()).isTrue();
        assertThat(after.get("keys").get(0).get("kid").stringValue())
                .isEqualTo(ci.currentKey().getKeyID());
        assertThat(after.get("keys").get(0).has("d")).isFalse();
        assertThat(admin("GET", "/admin/v1/issuers/no-such-issuer/keys", null).status())
                .isEqualTo(404);
    }

    @Test
    void anIssuersKeyStateShowsTheLastFailedFetch() {
        String issuer = unique("keys-down");
        create("issuers", issuerFor(issuer, down.url(), TestIssuer.DEFAULT_AUDIENCE));
        down.goDown();
        try {
            assertThat(exchange(down.github().sign(), TARGET).status()).isEqualTo(503);
        } finally {
            down.comeUp();
        }

        JsonNode state =
                admin("GET", "/admin/v1/issuers/" + issuer + "/keys", null).json();

        assertThat(state.get("lastFailure").get("at").isString()).isTrue();
        assertThat(state.get("lastFailure").get("message").stringValue()).isNotBlank();
        assertThat(state.get("keys")).isEmpty();
    }

    private long adminEvents() {
        Long count = jdbc.queryForObject("select count(*) from audit_event where kind = 'admin'", Long.class);
        return count == null ? 0 : count;
    }
}
