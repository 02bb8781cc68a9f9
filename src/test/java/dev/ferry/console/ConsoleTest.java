package dev.ferry.console;

import dev.ferry.FerryIntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A console test: the shared Ferry on its real port, driven through a real headless Chromium
 * ({@link ConsoleBrowser}). Waits are explicit conditions, never sleeps. Each test starts signed out.
 */
abstract class ConsoleTest extends FerryIntegrationTest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser();

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** How often a wait looks again: often, since most conditions hold within a few tens of milliseconds. */
    private static final Duration POLL = Duration.ofMillis(50);

    protected ChromeDriver driver;

    @BeforeEach
    void freshTab() {
        driver = browser.driver();
        driver.get(baseUrl() + "/console/");
        awaitHeading();
        ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
    }

    /** Opens {@code /console/#<route>} (a route such as {@code /rules}) and waits until it has rendered. */
    protected void open(String route) {
        String url = baseUrl() + "/console/#" + route;
        if (url.equals(driver.getCurrentUrl())) {
            driver.navigate().refresh();
        } else {
            driver.get(url);
        }
        awaitHeading();
    }

    /** Signs in with the bootstrap token, as an operator pasting it would. */
    protected void signInWithToken() {
        open("/issuers");
        type(By.id("admin-token"), BOOTSTRAP_TOKEN);
        click(By.id("sign-in-token"));
        await(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        awaitHeading();
    }

    /** Waits for the next page: its heading is new (the one shown before is marked) and nothing is loading. */
    protected void awaitHeading() {
        await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("main h1:not([data-shown])")));
        await(driver -> driver.findElements(By.cssSelector("main .loading")).isEmpty());
        script("document.querySelectorAll('main h1').forEach(h => h.dataset.shown = 'yes')");
    }

    protected <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, POLL).until(condition);
    }

    protected WebElement element(By by) {
        return await(ExpectedConditions.visibilityOfElementLocated(by));
    }

    protected String text(By by) {
        return element(by).getText();
    }

    protected void awaitText(By by, String text) {
        await(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    protected void type(By by, String text) {
        WebElement field = element(by);
        field.clear();
        field.sendKeys(text);
    }

    /** Pastes {@code text} into a field, as a user pasting a token or a JSON definition: one input event. */
    protected void paste(By by, String text) {
        WebElement field = element(by);
        script(
                "arguments[0].value = arguments[1];"
                        + " arguments[0].dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}))",
                field,
                text);
    }

    /** Types into a field, replacing what it holds, the way a user selects all and types. */
    protected void retype(By by, String text) {
        WebElement field = element(by);
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        field.sendKeys(text);
    }

    protected void click(By by) {
        await(ExpectedConditions.elementToBeClickable(by)).click();
    }

    protected List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    protected Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /** An element's text with every run of white space (line breaks between list items) as one space. */
    protected static String flat(WebElement element) {
        return element.getText().replaceAll("\\s+", " ").trim();
    }

    protected String heading() {
        return text(By.cssSelector("main h1"));
    }
}
