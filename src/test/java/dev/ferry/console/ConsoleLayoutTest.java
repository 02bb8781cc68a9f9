package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/** The console with the keyboard alone, and at phone width. */
class ConsoleLayoutTest extends ConsoleTest {

    @Test
    void anOperatorSignsInAndMovesAroundWithTheKeyboardAlone() {
        open("/rules");
        assertThat(heading()).isEqualTo("Sign in to Ferry");
        // The page's heading has the focus after each navigation; Tab goes on from there.
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Sign in to Ferry");
        Actions keys = new Actions(driver);
        WebElement focused = tabUntil(keys, "admin-token");
        focused.sendKeys(BOOTSTRAP_TOKEN, Keys.ENTER);
        awaitHeading();
        assertThat(heading()).isEqualTo("Rules");
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Rules");

        // A fresh load: the skip link first, then the sections.
        driver.navigate().refresh();
        awaitHeading();
        keys.sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("skip-link");
        keys.sendKeys(Keys.TAB).perform();
        keys.sendKeys(Keys.TAB).perform();
        keys.sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Rules");
        keys.sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Explain");
        keys.sendKeys(Keys.ENTER).perform();
        awaitHeading();
        assertThat(heading()).isEqualTo("Explain a decision");
        assertThat(element(By.cssSelector("a[aria-current='page']")).getText()).isEqualTo("Explain");
    }

    @Test
    void atPhoneWidthNothingScrollsSidewaysAndEverySectionIsReachable() {
        signInWithToken();
        driver.manage().window().setSize(new Dimension(390, 844));
        for (String route :
                new String[] {"/issuers", "/rules", "/rules/new", "/explain", "/audit", "/keys", "/clients"}) {
            open(route);
            Number overflow = (Number) script("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(overflow.intValue()).as("sideways overflow of %s", route).isLessThanOrEqualTo(0);
        }
        open("/rules/new");
        browser.screenshot("console-phone");
        assertThat(element(By.cssSelector("nav#nav a[data-section='clients']")).isDisplayed())
                .isTrue();
    }

    private WebElement tabUntil(Actions keys, String id) {
        for (int i = 0; i < 20; i++) {
            keys.sendKeys(Keys.TAB).perform();
            WebElement focused = driver.switchTo().activeElement();
            if (id.equals(focused.getDomAttribute("id"))) {
                return focused;
            }
        }
        throw new AssertionError("Tab never reached #" + id);
    }
}
