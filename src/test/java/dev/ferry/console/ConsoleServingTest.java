package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.FerryIntegrationTest;
import dev.ferry.testing.TestOpenIdProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * How Ferry serves the console: its page, modules and settings, each answer under a strict
 * Content-Security-Policy that the console's files keep to (no inline script or style, no HTML strings).
 */
class ConsoleServingTest extends FerryIntegrationTest {

    private static final Path SOURCES = Path.of("src/main/resources/console");
    private static final Pattern IMPORT = Pattern.compile("(?:from|import)\\s+'(\\.{1,2}/[^']+)'");

    @Test
    void thePageIsServedWithAStrictContentSecurityPolicyNamingOnlyFerryAndTheOpenIdProvider() {
        Response page = get("/console/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).isEqualTo("text/html;charset=UTF-8");
        assertThat(page.header("Content-Security-Policy"))
                .isEqualTo(
                        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' "
                                + TestOpenIdProvider.ISSUER + "; form-action 'self' " + TestOpenIdProvider.ISSUER
                                + "; frame-ancestors 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Set-Cookie")).isNull();

        Response withoutSlash = get("/console");
        assertThat(withoutSlash.status()).isEqualTo(301);
        assertThat(withoutSlash.header("Location")).isEqualTo("/console/");
    }

    @Test
    void theSettingsArePublicAndNameTheAdminAudienceAndTheOpenIdProvider() {
        Response settings = get("/console/config.json");
        assertThat(settings.status()).isEqualTo(200);
        assertThat(settings.header("Cache-Control")).isEqualTo("no-store");
        JsonNode json = settings.json();
        assertThat(json.get("issuer").asString()).isEqualTo(ferryIssuer);
        assertThat(json.get("adminAudience").asString()).isEqualTo(ferryIssuer + "/admin");
        assertThat(json.get("oidc").toString())
                .isEqualTo("{\"issuer\":\"" + TestOpenIdProvider.ISSUER + "\",\"clientId\":\""
                        + TestOpenIdProvider.CLIENT_ID + "\",\"scopes\":[\"openid\",\"profile\"]}");
    }

    @Test
    void everyModuleThePageLoadsIsServedAsJavaScriptUnderThePolicy() {
        Deque<String> pending = new ArrayDeque<>(List.of("/console/js/app.js"));
        Set<String> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            String path = pending.pop();
            if (!seen.add(path)) {
                continue;
            }
            Response module = get(path);
            assertThat(module.status()).as(path).isEqualTo(200);
            assertThat(module.header("Content-Type")).as(path).isEqualTo("text/javascript");
            assertThat(module.header("Content-Security-Policy")).as(path).startsWith("default-src 'none'");
            Matcher imports = IMPORT.matcher(module.body());
            while (imports.find()) {
                pending.push(java.net.URI.create(path).resolve(imports.group(1)).toString());
            }
        }
        assertThat(seen).contains("/console/js/views/rules.js", "/console/js/views/explain.js", "/console/js/oidc.js");
        assertThat(get("/console/console.css").header("Content-Type")).startsWith("text/css");
    }

    @Test
    void theFilesHoldNoInlineScriptNoStyleAttributeAndNoHtmlStrings() throws IOException {
        String page = Files.readString(SOURCES.resolve("index.html"));
        assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)").matcher(page).find())
                .as("inline <script>")
                .isFalse();
        assertThat(page).doesNotContain(" style=", "<style", "javascript:");
        assertThat(Pattern.compile("\\son[a-z]+=").matcher(page).find())
                .as("event handler attributes")
                .isFalse();
        try (Stream<Path> files = Files.walk(SOURCES.resolve("js"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".js")).toList()) {
                String code = Files.readString(file);
                assertThat(code)
                        .as(file.toString())
                        .doesNotContain(
                                "innerHTML",
                                "outerHTML",
                                "insertAdjacentHTML",
                                "document.write",
                                "eval(",
                                "new Function",
                                ".style.",
                                "'style'",
                                "localStorage",
                                "document.cookie");
            }
        }
    }
}
