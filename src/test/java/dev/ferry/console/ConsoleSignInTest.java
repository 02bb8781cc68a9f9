package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.ferry.testing.TestIssuer;
import dev.ferry.testing.TestOpenIdProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Signing in to the console: a pasted admin token, and the organisation's OpenID provider. */
class ConsoleSignInTest extends ConsoleTest {

    @Test
    void anOperatorSignsInByPastingAnAdminTokenWhichStaysOutOfUrlsAndCookies() {
        open("/issuers");
        assertThat(heading()).isEqualTo("Sign in to Ferry");
        browser.screenshot("console-sign-in");

        type(By.id("admin-token"), "not-a-token-ferry-knows");
        click(By.id("sign-in-token"));
        awaitText(By.id("sign-in-error"), "Ferry does not accept this token");
        assertThat(driver.findElement(By.id("nav")).isDisplayed()).isFalse();

        retype(By.id("admin-token"), BOOTSTRAP_TOKEN);
        click(By.id("sign-in-token"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Issuers");
        assertThat(text(By.id("who"))).isEqualTo("Signed in with an admin token");
        assertThat(driver.getCurrentUrl()).doesNotContain(BOOTSTRAP_TOKEN).endsWith("/console/#/issuers");
        assertThat(script("return document.cookie")).isEqualTo("");
        assertThat((String) script("return sessionStorage.getItem('ferry.console.session')"))
                .contains(BOOTSTRAP_TOKEN);

        click(By.id("sign-out"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Sign in to Ferry");
        assertThat(script("return sessionStorage.getItem('ferry.console.session')"))
                .isNull();
    }

    @Test
    void aFerryIssuedReadOnlyTokenShowsEverythingAndOffersNoChange() {
        TestIssuer ci = new TestIssuer().start();
        try {
            String issuer = unique("console-readers");
            create("issuers", issuerFor(issuer, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
            create(
                    "rules",
                    rule(
                            unique("console-read"),
                            issuer,
                            "allow",
                            List.of(condition("repository_owner_id", "equals", "4242")),
                            List.of(ferryIssuer + "/admin"),
                            List.of("ferry:read")));
            Response exchanged = postForm(Map.of(
                    "grant_type",
                    GRANT_TYPE,
                    "subject_token",
                    ci.github().sign(),
                    "subject_token_type",
                    ID_TOKEN_TYPE,
                    "audience",
                    ferryIssuer + "/admin",
                    "scope",
                    "ferry:read"));
            assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);

            open("/issuers");
            type(By.id("admin-token"), exchanged.json().get("access_token").asString());
            click(By.id("sign-in-token"));
            awaitHeading();
            assertThat(text(By.id("who")))
                    .startsWith("Signed in as " + issuer + ":repo:acme/app:ref:refs/heads/main · ferry:read · until");
            assertThat(all(By.cssSelector("main tbody tr"))).isNotEmpty();
            assertThat(all(By.id("new-issuer"))).isEmpty();
            assertThat(all(By.cssSelector("button[data-toggle]"))).isEmpty();
            open("/keys");
            assertThat(element(By.id("rotate")).isEnabled()).isFalse();
            open("/issuers/" + issuer);
            assertThat(element(By.id("save-issuer")).isEnabled()).isFalse();
        } finally {
            ci.close();
        }
    }

    @Test
    void anOperatorSignsInWithTheOpenIdProviderAndFerrysOwnRulesDecideOnTheAdminToken() throws Exception {
        String origin = baseUrl();
        TestOpenIdProvider.start(origin);
        String sso = unique("sso");
        create(
                "issuers",
                Map.of(
                        "name",
                        sso,
                        "type",
                        "oidc",
                        "issuerUrl",
                        TestOpenIdProvider.ISSUER,
                        "acceptedAudiences",
                        List.of(TestOpenIdProvider.CLIENT_ID)));
        Map<String, Object> admins = rule(
                unique("sso-operators"),
                sso,
                "allow",
                List.of(condition("sub", "equals", TestOpenIdProvider.USERNAME)),
                List.of(ferryIssuer + "/admin"),
                List.of("ferry:admin"));
        admins.put("ttlSeconds", 900);
        create("rules", admins);

        open("/clients");
        assertThat(text(By.id("sign-in-oidc"))).isEqualTo("Sign in with " + TestOpenIdProvider.ISSUER.substring(7));
        click(By.id("sign-in-oidc"));

        // The provider's own login page, on its own origin.
        await(ExpectedConditions.urlContains(TestOpenIdProvider.ISSUER + "/login"));
        element(By.id("username")).sendKeys(TestOpenIdProvider.USERNAME);
        element(By.id("password")).sendKeys(TestOpenIdProvider.PASSWORD);
        click(By.cssSelector("button[type=submit]"));

        // Back at the console, which redeemed the code, checked state and nonce, and exchanged the ID token.
        await(ExpectedConditions.urlToBe(origin + "/console/#/clients"));
        awaitHeading();
        assertThat(heading()).isEqualTo("Introspection clients");
        assertThat(text(By.id("who")))
                .startsWith("Signed in as " + sso + ":" + TestOpenIdProvider.USERNAME + " · ferry:admin");

        String stored = (String) script("return sessionStorage.getItem('ferry.console.session')");
        String accessToken = JSON.readTree(stored).get("token").asString();
        assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getIssuer()).isEqualTo(ferryIssuer);
        assertThat(script("return Object.keys(sessionStorage)")).isEqualTo(List.of("ferry.console.session"));
        assertThat(script("return document.cookie")).isEqualTo("");

        // Ferry found the provider's keys through its discovery document, and the console shows when.
        open("/issuers/" + sso);
        awaitText(By.id("issuer-keys"), "discovery · " + TestOpenIdProvider.ISSUER + "/oauth2/jwks");
        assertThat(text(By.id("issuer-keys-fetched"))).endsWith("(by the Ferry replica that answered)");
        open("/clients");

        // Admin calls work with it: a write (ferry:admin), audited under the operator's Ferry subject.
        String client = unique("sso-made");
        type(By.id("client-id"), client);
        click(By.id("create-client"));
        awaitText(By.id("client-secret-box"), "shown this once");
        assertThat(admin("GET", "/admin/v1/clients", null).body()).contains(client);
        flushAudit();
        assertThat(admin("GET", "/admin/v1/audit?kind=admin&limit=5", null).body())
                .contains("\"principal\":\"" + sso + ":" + TestOpenIdProvider.USERNAME + "\"");

        // Without a rule that admits them, the same operator gets no admin token, and is told why.
        admins.put("enabled", false);
        assertThat(admin("PUT", "/admin/v1/rules/" + admins.get("name"), admins).status())
                .isEqualTo(200);
        click(By.id("sign-out"));
        awaitHeading();
        click(By.id("sign-in-oidc"));
        awaitText(By.id("sign-in-error"), "Ferry did not give you an admin token: invalid_request");
        assertThat(text(By.id("sign-in-error"))).contains("no trust rule of issuer '" + sso + "' admits this token");
        String exchangeId = text(By.id("sign-in-exchange-id"));
        flushAudit();
        assertThat(admin("GET", "/admin/v1/audit/" + exchangeId, null)
                        .json()
                        .get("outcome")
                        .asString())
                .isEqualTo("refused");
        assertThat(script("return sessionStorage.getItem('ferry.console.session')"))
                .isNull();
        assertThat(driver.getCurrentUrl()).isEqualTo(origin + "/console/#/issuers");
    }
}
