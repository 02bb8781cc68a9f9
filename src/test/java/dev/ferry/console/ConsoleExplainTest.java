package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** "Why was this CI run refused?": explaining a pasted token, and following a job's exchange_id to its audit event. */
class ConsoleExplainTest extends ConsoleTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://console-explain.example.com";
    private static String issuerName;
    private static String ruleName;

    @BeforeEach
    void configure() {
        if (issuerName != null) {
            return;
        }
        issuerName = unique("explain");
        create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        ruleName = unique("explain-main");
        create(
                "rules",
                rule(
                        ruleName,
                        issuerName,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/main")),
                        List.of(TARGET),
                        List.of("deploy")));
    }

    @Test
    void aPastedTokenFromAnotherBranchIsExplainedConditionByCondition() {
        String token = ci.github().claim("ref", "refs/heads/feature").sign();
        signInWithToken();
        open("/explain");
        paste(By.id("explain-token"), token);
        awaitText(By.id("explain-token-facts"), "repo:acme/app:ref:refs/heads/main");
        type(By.id("explain-target"), TARGET);
        type(By.id("explain-scope"), "deploy");
        click(By.id("explain-submit"));

        WebElement decision = element(By.id("decision"));
        assertThat(decision.getDomAttribute("data-decision")).isEqualTo("deny");
        assertThat(text(By.id("decision-error")))
                .isEqualTo("/token would answer HTTP 400 invalid_request: no trust rule of issuer '" + issuerName
                        + "' admits this token");
        assertThat(text(By.id("token-validation"))).contains("yes: valid");
        WebElement rule = element(By.cssSelector("article.rule-result[data-rule='" + ruleName + "']"));
        assertThat(rule.findElement(By.cssSelector("[data-verdict]")).getText()).isEqualTo("did not match");
        List<String> rows = rule.findElements(By.cssSelector("tbody tr")).stream()
                .map(ConsoleTest::flat)
                .toList();
        assertThat(rows)
                .containsExactly(
                        "repository_owner_id equals 4242 4242 ✓ holds",
                        "ref equals refs/heads/main refs/heads/feature ✗ fails");
    }

    @Test
    void anExpiredTokenIsExplainedAsOfItsIssueTime() {
        Instant issued = Instant.now().minus(20, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        String token = ci.github()
                .issuedAt(issued)
                .notBefore(issued)
                .expiresAt(issued.plus(5, ChronoUnit.MINUTES))
                .sign();
        signInWithToken();
        open("/explain");
        type(By.id("explain-target"), TARGET);
        paste(By.id("explain-token"), token);

        click(By.id("explain-submit"));
        awaitText(By.id("validation-reason"), "EXPIRED");
        assertThat(text(By.id("not-decided"))).startsWith("The token did not get as far as the rules");

        click(By.id("use-issued-at"));
        click(By.id("explain-submit"));
        awaitText(By.id("as-of"), "As of");
        assertThat(element(By.id("decision")).getDomAttribute("data-decision")).isEqualTo("allow");
        assertThat(text(By.id("token-validation"))).contains("yes: valid");
    }

    @Test
    void anExchangeIdFromACiLogOpensTheAuditedExchangeWithItsExplanation() {
        Response refused =
                exchange(ci.github().claim("ref", "refs/heads/feature").sign(), TARGET);
        assertThat(refused.status()).isEqualTo(400);
        String exchangeId = refused.json().get("exchange_id").asString();
        flushAudit();

        signInWithToken();
        open("/explain");
        type(By.id("exchange-id"), exchangeId);
        click(By.id("open-exchange"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Refused exchange");
        assertThat(text(By.id("event-id"))).isEqualTo(exchangeId);
        assertThat(text(By.id("event-error")))
                .isEqualTo("invalid_request no trust rule of issuer '" + issuerName + "' admits this token");
        // Explained again from the claims the audit log kept (POST /admin/v1/evaluate with the exchangeId).
        assertThat(text(By.id("as-of"))).startsWith("Decided again as of the exchange's time");
        WebElement rule = element(By.cssSelector("article.rule-result[data-rule='" + ruleName + "']"));
        assertThat(flat(rule)).contains("ref equals refs/heads/main refs/heads/feature ✗ fails");
        assertThat(all(By.id("decided-differently"))).isEmpty();
        click(By.cssSelector("details.recorded summary"));
        assertThat(flat(element(By.id("recorded-decision"))))
                .isEqualTo(ruleName + " allow did not match: condition 2 failed");

        // The same exchange, found from the audit log's filters, a page at a time.
        Response newer = exchange(ci.github().claim("ref", "refs/heads/other").sign(), TARGET);
        flushAudit();
        open("/audit?" + "issuer=" + issuerName + "&outcome=refused&limit=1");
        assertThat(heading()).isEqualTo("Audit log");
        assertThat(all(By.cssSelector("main tbody tr"))).hasSize(1);
        assertThat(all(By.cssSelector("a.explain-link[data-id='"
                        + newer.json().get("exchange_id").asString() + "']")))
                .hasSize(1);
        click(By.id("audit-next"));
        awaitHeading();
        assertThat(all(By.cssSelector("main tbody tr"))).hasSize(1);
        click(By.cssSelector("a.explain-link[data-id='" + exchangeId + "']"));
        awaitHeading();
        assertThat(text(By.id("event-id"))).isEqualTo(exchangeId);

        // Once a rule admits what was refused, the console says that today's rules decide differently.
        String later = unique("explain-feature");
        Map<String, Object> feature = rule(
                later,
                issuerName,
                "allow",
                List.of(condition("ref", "equals", "refs/heads/feature")),
                List.of(TARGET),
                List.of());
        feature.put("acknowledged", List.of(Map.of("code", "unbound-identity", "reason", "a test issuer")));
        create("rules", feature);
        try {
            open("/exchanges/" + exchangeId);
            assertThat(text(By.id("decided-differently")))
                    .startsWith(
                            "Today's rules decide differently: the exchange was refused, and would now be allowed.");
        } finally {
            admin("DELETE", "/admin/v1/rules/" + later, null);
        }
    }

    @Test
    void claimsAreExplainedAsIfAValidTokenOfTheIssuerCarriedThem() {
        signInWithToken();
        open("/explain");
        click(By.id("explain-by-claims"));
        new Select(element(By.id("explain-issuer"))).selectByValue(issuerName);
        retype(
                By.id("explain-claims"),
                "{\"sub\": \"repo:acme/app:ref:refs/heads/main\", \"repository_owner_id\": \"4242\","
                        + " \"ref\": \"refs/heads/main\"}");
        type(By.id("explain-target"), TARGET);
        type(By.id("explain-scope"), "deploy");
        click(By.id("explain-submit"));
        assertThat(element(By.id("decision")).getDomAttribute("data-decision")).isEqualTo("allow");
        assertThat(text(By.id("decision")))
                .contains("/token would issue a token with scope \"deploy\" for 900 seconds.");
        assertThat(text(By.id("token-validation"))).contains("no: claims were given");
    }

    @Test
    void anUnknownExchangeIdSaysSoAndOffersToTryAgain() {
        signInWithToken();
        open("/exchanges/" + "00000000-0000-7000-8000-000000000000");
        assertThat(heading()).isEqualTo("Exchange not found");
        assertThat(element(By.id("retry-exchange")).isDisplayed()).isTrue();
    }
}
