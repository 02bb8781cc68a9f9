package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The README's "Console" section, as a new operator follows it: the quick start's demo issuer (the
 * output of examples/local/demo-token.sh, pasted) and rule (the README's own JSON, pasted), then a
 * refused token explained and its exchange_id followed. Its screenshots illustrate docs/console.md.
 */
class ConsoleQuickStartTest extends ConsoleTest {

    private static final Path DEMO = Path.of("examples/local/demo-token.sh");
    private static final Pattern STEP_4 =
            Pattern.compile("\\*\\*4\\. Create a trust rule\\.\\*\\*.*?-d '(\\{.*?\\})'", Pattern.DOTALL);

    @TempDir
    Path demoKeys;

    @Test
    void theQuickStartsIssuerAndRuleAreSetUpAndARefusedTokenExplainedInTheConsole() throws Exception {
        String issuerJson = demo(Map.of(), "issuer");
        Matcher rule = STEP_4.matcher(Files.readString(Path.of("README.md")));
        assertThat(rule.find()).as("the README's step 4 rule").isTrue();

        signInWithToken();
        click(By.id("new-issuer"));
        awaitHeading();
        click(By.cssSelector("#issuer-fill-in summary"));
        paste(By.id("issuer-json"), issuerJson);
        click(By.id("issuer-json-apply"));
        awaitText(By.id("issuer-preview"), "\"issuerUrl\": \"https://demo.invalid\"");
        assertThat(text(By.id("issuer-preview")))
                .contains("\"algorithms\": [", "\"RS256\"", "\"clockSkewSeconds\": 60");
        browser.screenshot("console-issuer-editor");
        click(By.id("save-issuer"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Issuer demo");

        open("/rules/new?issuer=demo");
        click(By.cssSelector("#rule-fill-in summary"));
        paste(By.id("rule-json"), rule.group(1));
        click(By.id("rule-json-apply"));
        assertThat(element(By.id("rule-name")).getDomProperty("value")).isEqualTo("demo-deploy-main");
        assertThat(element(By.id("condition-1-value")).getDomProperty("value")).isEqualTo("refs/heads/main");
        awaitText(By.id("lint-status"), "Valid");
        click(By.id("save-rule"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Rule demo-deploy-main");

        String feature = demo(Map.of("DEMO_REF", "refs/heads/feature"), "token");
        open("/explain");
        paste(By.id("explain-token"), feature);
        type(By.id("explain-target"), "https://api.example.com");
        type(By.id("explain-scope"), "deploy");
        click(By.id("explain-submit"));
        assertThat(text(By.id("decision-error")))
                .isEqualTo(
                        "/token would answer HTTP 400 invalid_request: no trust rule of issuer 'demo' admits this token");
        WebElement explained = element(By.cssSelector("article.rule-result[data-rule='demo-deploy-main']"));
        assertThat(flat(explained)).contains("ref equals refs/heads/main refs/heads/feature ✗ fails");
        browser.screenshot("console-explain");

        Response refused = exchange(feature, "https://api.example.com");
        String exchangeId = refused.json().get("exchange_id").asString();
        flushAudit();
        open("/explain");
        type(By.id("exchange-id"), exchangeId);
        click(By.id("open-exchange"));
        awaitHeading();
        assertThat(text(By.id("event-id"))).isEqualTo(exchangeId);
        assertThat(flat(element(By.cssSelector("article.rule-result[data-rule='demo-deploy-main']"))))
                .contains("ref equals refs/heads/main refs/heads/feature ✗ fails");
        browser.screenshot("console-exchange");

        open("/audit?issuer=demo");
        assertThat(all(By.cssSelector("a.explain-link[data-id='" + exchangeId + "']")))
                .hasSize(1);
        browser.screenshot("console-audit");
    }

    /** Runs the quick start's stand-in issuer script, as the README does, against this Ferry. */
    private String demo(Map<String, String> environment, String command) throws IOException, InterruptedException {
        Assumptions.assumeTrue(
                Stream.of(System.getenv("PATH").split(":"))
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "openssl"))),
                "examples/local/demo-token.sh needs openssl, which is not on the PATH");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", DEMO.toString(), command));
        builder.environment().put("FERRY_URL", baseUrl());
        builder.environment().put("FERRY_DEMO_DIR", demoKeys.toString());
        builder.environment().putAll(environment);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
