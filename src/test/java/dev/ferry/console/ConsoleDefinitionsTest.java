package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.ferry.testing.TestIssuer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/** Issuers and rules in the console: creating them, the linter as you type, a concurrent edit, long lists. */
class ConsoleDefinitionsTest extends ConsoleTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    @Test
    void anOperatorCreatesAnIssuerAndARuleThatThenAdmitACiToken() {
        String issuer = unique("console-ci");
        String ruleName = unique("console-deploy");
        String target = "https://" + ruleName + ".example.com";
        signInWithToken();
        click(By.id("new-issuer"));
        awaitHeading();
        assertThat(heading()).isEqualTo("New issuer");
        type(By.id("issuer-name"), issuer);
        new Select(element(By.id("issuer-type"))).selectByValue("github");
        // The preset's defaults, as Ferry would store them (a dry run), before anything is stored.
        awaitText(By.id("issuer-preview"), "\"issuerUrl\": \"https://token.actions.githubusercontent.com\"");
        assertThat(text(By.id("issuer-preview"))).contains("\"clockSkewSeconds\": 60", "\"repository_owner_id\"");
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null).status()).isEqualTo(404);

        // An issuer with its keys inline, pasted as JSON the way the quick start's demo-token.sh prints it.
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("name", issuer);
        definition.put("type", "oidc");
        definition.put("issuerUrl", ci.url());
        definition.put("jwks", new JWKSet(ci.currentKey()).toPublicJWKSet().toJSONObject());
        definition.put("acceptedAudiences", List.of(TestIssuer.DEFAULT_AUDIENCE));
        definition.put("claimMappings", Map.of("repository", "repository"));
        click(By.cssSelector("#issuer-fill-in summary"));
        paste(By.id("issuer-json"), JSON.writeValueAsString(definition));
        click(By.id("issuer-json-apply"));
        awaitText(By.id("issuer-preview"), "\"issuerUrl\": \"" + ci.url() + "\"");
        assertThat(new Select(element(By.id("issuer-type")))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo("Other OpenID Connect provider");
        assertThat(text(By.id("issuer-preview")))
                .contains("\"kid\": \"" + ci.currentKey().getKeyID() + "\"");
        click(By.id("save-issuer"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Issuer " + issuer);
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null)
                        .json()
                        .get("issuerUrl")
                        .asString())
                .isEqualTo(ci.url());
        // Its key set: inline, with the kid of the pasted key.
        awaitText(By.id("issuer-keys"), "inline, in the definition");
        assertThat(flat(element(By.cssSelector("#issuer-keys tbody tr"))))
                .isEqualTo(ci.currentKey().getKeyID() + " RSA RS256 sig");

        open("/rules/new?issuer=" + issuer);
        type(By.id("rule-name"), ruleName);
        type(By.id("rule-targets"), target);
        type(By.id("rule-scopes"), "deploy");
        type(By.id("condition-0-claim"), "repository_owner_id");
        type(By.id("condition-0-value"), "4242");
        click(By.id("add-condition"));
        type(By.id("condition-1-claim"), "ref");
        type(By.id("condition-1-value"), "refs/heads/main");
        awaitText(By.id("lint-status"), "Valid");
        click(By.id("save-rule"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Rule " + ruleName);
        JsonNode stored = admin("GET", "/admin/v1/rules/" + ruleName, null).json();
        assertThat(stored.get("conditions").toString())
                .isEqualTo("[{\"claim\":\"repository_owner_id\",\"operator\":\"equals\",\"value\":\"4242\"},"
                        + "{\"claim\":\"ref\",\"operator\":\"equals\",\"value\":\"refs/heads/main\"}]");

        // What the console set up works: a CI token of the issuer gets its access token.
        Response exchanged = exchange(ci.github().sign(), target);
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);

        open("/rules?issuer=" + issuer);
        WebElement row = element(By.xpath("//tbody/tr[th/a[text()='" + ruleName + "']]"));
        assertThat(flat(row)).contains("allow", issuer, target, "deploy", "default", "enabled", "none");

        // Disabled from the list, the issuer's tokens are refused; enabled again, admitted.
        open("/issuers");
        click(By.cssSelector("button[data-toggle='" + issuer + "']"));
        awaitText(By.cssSelector("main .notice"), "Issuer " + issuer + " disabled.");
        Response refused = exchange(ci.github().sign(), target);
        assertThat(refused.status()).isEqualTo(400);
        flushAudit();
        assertThat(admin(
                                "GET",
                                "/admin/v1/audit/"
                                        + refused.json().get("exchange_id").asString(),
                                null)
                        .json()
                        .get("detail")
                        .asString())
                .startsWith("DISABLED_ISSUER");
        click(By.cssSelector("button[data-toggle='" + issuer + "']"));
        awaitText(By.cssSelector("main .notice"), "Issuer " + issuer + " enabled.");
        assertThat(exchange(ci.github().sign(), target).status()).isEqualTo(200);
    }

    @Test
    void aLintWarningAppearsWhileTypingAndGoesWhenTheRuleIsPinned() {
        String issuer = githubIssuer();
        signInWithToken();
        open("/rules/new?issuer=" + issuer);
        type(By.id("rule-name"), unique("console-lint"));
        type(By.id("rule-targets"), "https://console-lint.example.com");
        new Select(element(By.id("condition-0-operator"))).selectByValue("glob");
        type(By.id("condition-0-claim"), "sub");
        type(By.id("condition-0-value"), "repo:acme*");

        WebElement pinned = await(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#rule-warnings li[data-code='github-not-pinned-to-id']")));
        assertThat(pinned.getText()).contains("numeric owner or repository id");
        // A warning about one condition is also shown next to it.
        element(By.cssSelector("#condition-0-notes [data-code='glob-prefix-mid-segment']"));
        browser.screenshot("console-rule-lint");

        // An invalid value is an error at its field, as Ferry would refuse it.
        new Select(element(By.id("condition-0-operator"))).selectByValue("regex");
        retype(By.id("condition-0-value"), "repo:(acme");
        awaitText(By.id("condition-0-value-error"), "not a valid RE2 regular expression");
        assertThat(element(By.id("condition-0-value")).getDomAttribute("aria-invalid"))
                .isEqualTo("true");
        awaitText(By.id("lint-status"), "Not valid");

        new Select(element(By.id("condition-0-operator"))).selectByValue("equals");
        retype(By.id("condition-0-value"), "repo:acme/app:ref:refs/heads/main");
        click(By.id("add-condition"));
        type(By.id("condition-1-claim"), "repository_owner_id");
        type(By.id("condition-1-value"), "4242");
        await(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#rule-warnings li[data-code='github-not-pinned-to-id']")));
        assertThat(driver.findElement(By.id("condition-0-value-error")).isDisplayed())
                .isFalse();
    }

    @Test
    void aConcurrentChangeIsShownAndNotOverwritten() {
        String issuer = githubIssuer();
        String name = unique("console-race");
        Map<String, Object> definition = rule(
                name,
                issuer,
                "allow",
                List.of(condition("repository_owner_id", "equals", "4242")),
                List.of("https://console-race.example.com"),
                List.of("deploy"));
        create("rules", definition);
        signInWithToken();
        open("/rules/" + name);
        type(By.id("rule-description"), "my change, made in the console");

        // Meanwhile another operator changes the scopes through the API.
        definition.put("scopes", List.of("deploy", "read"));
        Response theirs = admin("PUT", "/admin/v1/rules/" + name, definition);
        assertThat(theirs.status()).isEqualTo(200);

        click(By.id("save-rule"));
        WebElement conflict = element(By.id("conflict"));
        assertThat(conflict.getText()).contains("Someone else changed this rule", "version 1");
        assertThat(flat(conflict.findElement(By.cssSelector("tr[data-field='scopes']"))))
                .isEqualTo("scopes [ \"deploy\", \"read\" ] [ \"deploy\" ]");
        assertThat(flat(conflict.findElement(By.cssSelector("tr[data-field='description']"))))
                .isEqualTo("description (none) my change, made in the console");
        browser.screenshot("console-rule-conflict");
        JsonNode stored = admin("GET", "/admin/v1/rules/" + name, null).json();
        assertThat(stored.get("version").asLong()).isEqualTo(1);
        assertThat(stored.get("scopes").toString()).isEqualTo("[\"deploy\",\"read\"]");
        assertThat(stored.get("description").isNull()).isTrue();

        click(By.id("conflict-reload"));
        awaitHeading();
        assertThat(text(By.id("rule-meta"))).startsWith("Version 1");
        assertThat(element(By.id("rule-scopes")).getDomProperty("value")).isEqualTo("deploy read");
        assertThat(element(By.id("rule-description")).getDomProperty("value")).isEmpty();
    }

    @Test
    void requireDpopIsTickedInTheRuleFormAndShownInTheList() {
        String issuer = githubIssuer();
        String name = unique("console-dpop");
        create(
                "rules",
                rule(
                        name,
                        issuer,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of("https://console-dpop.example.com"),
                        List.of("read")));
        signInWithToken();
        open("/rules/" + name);
        assertThat(element(By.id("rule-require-dpop")).isSelected()).isFalse();

        click(By.id("rule-require-dpop"));
        click(By.id("save-rule"));
        await(driver -> admin("GET", "/admin/v1/rules/" + name, null).json().has("requireDpop"));

        assertThat(admin("GET", "/admin/v1/rules/" + name, null)
                        .json()
                        .get("requireDpop")
                        .asBoolean())
                .isTrue();
        open("/rules/" + name);
        assertThat(element(By.id("rule-require-dpop")).isSelected()).isTrue();
        open("/rules?issuer=" + issuer);
        assertThat(flat(element(By.xpath("//tbody/tr[th/a[text()='" + name + "']]"))))
                .contains("required");
    }

    @Test
    void longListsOfRulesAndConditionsArePaged() {
        String issuer = unique("console-many");
        List<Map<String, Object>> rules = new ArrayList<>();
        IntStream.range(0, 130)
                .forEach(i -> rules.add(rule(
                        "%s-%03d".formatted(issuer, i),
                        issuer,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of("https://" + issuer + ".example.com"),
                        List.of())));
        Map<String, Object> issuerDefinition = issuerFor(issuer, ci.url() + "/" + issuer, "ferry");
        Response imported =
                admin("POST", "/admin/v1/import", Map.of("issuers", List.of(issuerDefinition), "rules", rules));
        assertThat(imported.status()).as(imported.body()).isEqualTo(200);

        signInWithToken();
        open("/rules?issuer=" + issuer);
        assertThat(all(By.cssSelector("main tbody tr"))).hasSize(100);
        assertThat(text(By.cssSelector("main tbody tr:first-child th"))).isEqualTo(issuer + "-000");
        click(By.id("rules-next"));
        awaitHeading();
        assertThat(all(By.cssSelector("main tbody tr"))).hasSize(30);
        assertThat(text(By.cssSelector("main tbody tr:first-child th"))).isEqualTo(issuer + "-100");
        assertThat(all(By.id("rules-next"))).isEmpty();

        // A rule being written with more conditions than a page holds: 50 at a time, and Ferry's verdict.
        List<Map<String, Object>> conditions = new ArrayList<>();
        IntStream.range(0, 120).forEach(i -> conditions.add(condition("claim_" + i, "equals", "value-" + i)));
        Map<String, Object> longRule = rule(
                unique("console-long"), issuer, "allow", conditions, List.of("https://long.example.com"), List.of());
        open("/rules/new?issuer=" + issuer);
        click(By.cssSelector("#rule-fill-in summary"));
        paste(By.id("rule-json"), JSON.writeValueAsString(longRule));
        click(By.id("rule-json-apply"));
        assertThat(text(By.id("condition-count"))).isEqualTo("120 conditions; showing 1 to 50.");
        assertThat(all(By.cssSelector("#rule-conditions > li"))).hasSize(50);
        awaitText(By.id("rule-problem"), "a rule has at most 32 conditions");
        click(By.id("conditions-next"));
        click(By.id("conditions-next"));
        assertThat(text(By.id("condition-count"))).isEqualTo("120 conditions; showing 101 to 120.");
        assertThat(element(By.id("condition-119-value")).getDomProperty("value"))
                .isEqualTo("value-119");
    }

    private String githubIssuer() {
        String name = unique("console-gh");
        create("issuers", issuerFor(name, ci.url() + "/" + name, "ferry"));
        return name;
    }
}
