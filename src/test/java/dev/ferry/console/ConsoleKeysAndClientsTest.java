package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Signing keys and introspection clients in the console. Rotations are only confirmed or cancelled here:
 * the shared Ferry's keys must stay as the other tests know them (rotation itself: KeyLifecycleTest).
 */
class ConsoleKeysAndClientsTest extends ConsoleTest {

    @Test
    void theKeysPageListsEveryKeyAndEachRotationAsksFirstTheEmergencyOneTwice() {
        String before = admin("GET", "/admin/v1/keys", null).body();
        String activeKid = admin("GET", "/admin/v1/keys", null)
                .json()
                .valueStream()
                .filter(key -> key.get("state").asString().equals("active"))
                .findFirst()
                .orElseThrow()
                .get("kid")
                .asString();
        signInWithToken();
        open("/keys");
        WebElement active = element(By.xpath("//tbody/tr[th/code[text()='" + activeKid + "']]"));
        assertThat(flat(active)).contains("active");

        click(By.id("rotate"));
        WebElement dialog = element(By.cssSelector("dialog[open]"));
        assertThat(dialog.getText()).contains("tokens it signed stay valid until they expire");
        dialog.findElement(By.xpath(".//button[text()='Cancel']")).click();
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog")));

        click(By.id("rotate-compromised"));
        element(By.cssSelector("dialog[open]"))
                .findElement(By.xpath(".//button[text()='Continue']"))
                .click();
        WebElement second = await(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//dialog[@open][.//h2[text()='This breaks every token Ferry has issued']]")));
        assertThat(second.getText()).contains("stops validating at gateways", "sign in again");
        WebElement confirm = second.findElement(By.xpath(".//button[text()='Delete the old keys and rotate']"));
        assertThat(confirm.isEnabled()).isFalse();
        second.findElement(By.id("confirm-word")).sendKeys("ROTATE");
        assertThat(confirm.isEnabled()).isTrue();
        browser.screenshot("console-keys-emergency");
        second.findElement(By.xpath(".//button[text()='Cancel']")).click();
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog")));

        assertThat(admin("GET", "/admin/v1/keys", null).body()).isEqualTo(before);
    }

    @Test
    void anIntrospectionClientsSecretIsShownOnceAndWorks() {
        String id = unique("console-gw");
        signInWithToken();
        open("/clients");
        type(By.id("client-id"), id);
        type(By.id("client-description"), "the console test's gateway");
        click(By.id("create-client"));
        String secret = element(By.id("client-secret")).getDomProperty("value");
        assertThat(secret).hasSizeGreaterThan(30);
        assertThat(text(By.id("client-secret-box"))).contains("shown this once");

        Response introspected = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token=not-a-ferry-token"))
                .build());
        assertThat(introspected.status()).isEqualTo(200);
        assertThat(introspected.body()).isEqualTo("{\"active\":false}");

        open("/issuers");
        open("/clients");
        assertThat(driver.findElements(By.id("client-secret"))).isEmpty();
        WebElement row = element(By.xpath("//tbody/tr[th/code[text()='" + id + "']]"));
        assertThat(flat(row)).contains("the console test's gateway");
        row.findElement(By.xpath(".//button[text()='Delete " + id + "']")).click();
        element(By.cssSelector("dialog[open]"))
                .findElement(By.xpath(".//button[text()='Delete client']"))
                .click();
        awaitHeading();
        assertThat(driver.findElements(By.xpath("//tbody/tr[th/code[text()='" + id + "']]")))
                .isEmpty();
        assertThat(admin("GET", "/admin/v1/clients", null).body()).doesNotContain(id);
    }
}
