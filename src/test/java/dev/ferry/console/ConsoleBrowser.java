package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium for the console's browser tests: Debian's {@code chromium} driven through its
 * {@code chromium-driver}, never a downloaded one (Selenium Manager is skipped and kept offline).
 * One browser for the whole run, started by the first browser test and closed when the run ends.
 *
 * <p>Without the binaries the tests are skipped, visibly, unless {@code FERRY_TEST_BROWSER=required}
 * (as {@code .ci/run} sets it): then they fail. They run on the H2 run only: they test the console,
 * not the database. A failing test leaves a screenshot of the page in {@code target/browser-failures/}.
 */
final class ConsoleBrowser
        implements ExecutionCondition,
                BeforeAllCallback,
                AfterEachCallback,
                TestExecutionExceptionHandler,
                LifecycleMethodExecutionExceptionHandler {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("FERRY_TEST_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER =
            Path.of(System.getenv().getOrDefault("FERRY_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Dimension DESKTOP = new Dimension(1280, 800);

    private static final Path FAILURES = Path.of("target", "browser-failures");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ConsoleBrowser.class);

    private ChromeDriver driver;

    ChromeDriver driver() {
        return driver;
    }

    /** Skipped, each test with the reason, on the PostgreSQL run and where the browser is missing (unless required). */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (TestDatabase.POSTGRESQL.selected()) {
            return ConditionEvaluationResult.disabled(
                    "browser tests run once, on the H2 run: they test the console, not the database");
        }
        if (!installed() && !required()) {
            return ConditionEvaluationResult.disabled("browser test skipped: " + missing());
        }
        return ConditionEvaluationResult.enabled("H2 run, chromium installed or required");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!installed()) {
            throw new IllegalStateException("FERRY_TEST_BROWSER=required, but " + missing());
        }
        driver = context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Chromium.class, key -> Chromium.start(), Chromium.class)
                .driver;
        driver.manage().window().setSize(DESKTOP);
    }

    private static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    private static boolean required() {
        return "required".equalsIgnoreCase(System.getenv("FERRY_TEST_BROWSER"));
    }

    private static String missing() {
        return CHROMIUM + " or " + CHROMEDRIVER
                + " is missing: install them with 'apt-get install chromium chromium-driver'";
    }

    /** Every page the test showed ran without a Content-Security-Policy violation or an uncaught error. */
    @Override
    public void afterEach(ExtensionContext context) {
        if (driver == null) {
            return;
        }
        List<String> problems = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy")
                        || message.contains("Uncaught")
                        || message.contains("TrustedHTML"))
                .toList();
        driver.manage().window().setSize(DESKTOP);
        if (context.getExecutionException().isEmpty()) {
            assertThat(problems).as("browser console errors").isEmpty();
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        screenshotOnFailure(context);
        throw throwable;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        screenshotOnFailure(context);
        throw throwable;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        screenshotOnFailure(context);
        throw throwable;
    }

    private void screenshotOnFailure(ExtensionContext context) {
        if (driver == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "-"
                + context.getTestMethod().map(m -> m.getName()).orElse("setup");
        try {
            save(FAILURES.resolve(name + ".png"));
            Files.writeString(FAILURES.resolve(name + ".html"), driver.getPageSource());
        } catch (RuntimeException | IOException e) {
            // the test's own failure is what matters
        }
    }

    /**
     * Saves the page as {@code target/console-screenshots/<name>.png} (docs/console.md's images): the
     * window grows to the page's height for the picture (up to 1,800 pixels), then shrinks back.
     */
    void screenshot(String name) {
        Dimension window = driver.manage().window().getSize();
        long page = ((Number) driver.executeScript("return Math.min(document.documentElement.scrollHeight, 1800)"))
                .longValue();
        long chrome = ((Number) driver.executeScript("return window.outerHeight - window.innerHeight")).longValue();
        if (page + chrome > window.getHeight()) {
            driver.manage().window().setSize(new Dimension(window.getWidth(), (int) (page + chrome)));
        }
        try {
            driver.executeScript("window.scrollTo(0, 0)");
            save(SCREENSHOTS.resolve(name.toLowerCase(Locale.ROOT) + ".png"));
        } finally {
            driver.manage().window().setSize(window);
        }
    }

    private void save(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The browser, closed at the end of the run (an AutoCloseable in JUnit's root store). */
    private static final class Chromium implements AutoCloseable {

        final ChromeDriver driver;

        private Chromium(ChromeDriver driver) {
            this.driver = driver;
        }

        static Chromium start() {
            // Selenium Manager would look for (and download) a driver; the service below names the installed one.
            System.setProperty("SE_OFFLINE", "true");
            System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--window-size=1280,800",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-extensions",
                    "--disable-default-apps",
                    "--no-first-run",
                    "--lang=en-GB");
            options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-GB"));
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                    .usingAnyFreePort()
                    .withTimeout(Duration.ofSeconds(60))
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new Chromium(driver);
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
