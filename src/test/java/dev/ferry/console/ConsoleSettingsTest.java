package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.FerryProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** {@code ferry.console.*}: the switch, and the OpenID settings checked at start-up. */
class ConsoleSettingsTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(FerryProperties.class)
    static class Settings {}

    private final WebApplicationContextRunner ferry = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
            .withUserConfiguration(Settings.class, ConsoleController.class, ConsoleResources.class);

    @Test
    void theConsoleIsOnByDefaultAndOffWithFerryConsoleEnabledFalse() {
        ferry.run(context ->
                assertThat(context).hasSingleBean(ConsoleController.class).hasSingleBean(ConsoleResources.class));
        ferry.withPropertyValues("ferry.console.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(ConsoleController.class)
                        .doesNotHaveBean(ConsoleResources.class));
    }

    @Test
    void openIdSignInNeedsAClientIdAndHttpsUnlessInsecureHttpIsAllowed() {
        assertThat(bind(Map.of()).console().oidc().issuer()).isNull();
        assertThat(bind(Map.of(
                                "ferry.console.oidc.issuer",
                                "https://login.example.com",
                                "ferry.console.oidc.client-id",
                                "ferry"))
                        .console()
                        .oidc()
                        .requestedScopes())
                .containsExactly("openid");
        assertThat(bind(Map.of(
                                "ferry.console.oidc.issuer", "https://login.example.com",
                                "ferry.console.oidc.client-id", "ferry",
                                "ferry.console.oidc.scopes", "email, openid,groups"))
                        .console()
                        .oidc()
                        .requestedScopes())
                .containsExactly("openid", "email", "groups");

        assertThat(failure(Map.of("ferry.console.oidc.issuer", "https://login.example.com")))
                .contains("ferry.console.oidc.client-id is required");
        assertThat(failure(
                        Map.of("ferry.console.oidc.issuer", "login.example.com", "ferry.console.oidc.client-id", "f")))
                .contains("must be an absolute http(s) URL");
        assertThat(failure(Map.of(
                        "ferry.console.oidc.issuer", "http://login.example.com", "ferry.console.oidc.client-id", "f")))
                .contains("must be an https URL");
        assertThat(bind(Map.of(
                                "ferry.console.oidc.issuer",
                                "http://127.0.0.1:9000",
                                "ferry.console.oidc.client-id",
                                "f",
                                "ferry.federation.allow-insecure-http",
                                "true"))
                        .console()
                        .oidc()
                        .issuer())
                .hasToString("http://127.0.0.1:9000");
    }

    private static FerryProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("ferry", FerryProperties.class);
    }

    private static String failure(Map<String, String> properties) {
        try {
            bind(properties);
        } catch (BindException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause.getMessage();
        }
        throw new AssertionError("bound without complaint: " + properties);
    }
}
