package dev.ferry.testing;

import java.util.Map;
import oidcprovider.ProviderConfiguration;
import org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * A real OpenID provider for the console's sign-in tests: Spring Authorization Server
 * ({@link ProviderConfiguration}) in an application context of its own, on {@code 127.0.0.1}, started
 * on first use and kept for the rest of the JVM (like the Spring test contexts it serves).
 *
 * <p>Its address is fixed when this class loads, so Ferry's shared test context can be configured with it
 * ({@code ferry.console.oidc.issuer}) before the provider runs: Ferry only names it in the console's
 * settings and Content-Security-Policy, and fetches its keys on the first exchange.
 */
public final class TestOpenIdProvider {

    /** The console's client id at the provider: a public client, PKCE required. */
    public static final String CLIENT_ID = "ferry-console";

    public static final String USERNAME = "operator";
    public static final String PASSWORD = "operator-password-0123";

    private static final int PORT = TestPorts.unused();

    /** The provider's issuer URL, the {@code iss} of its ID tokens. */
    public static final String ISSUER = "http://127.0.0.1:" + PORT;

    private static AnnotationConfigServletWebServerApplicationContext context;

    private TestOpenIdProvider() {}

    /**
     * Starts the provider unless it runs already. It accepts browser requests from
     * {@code consoleOrigin} and redirects to {@code consoleOrigin + "/console/"} only.
     */
    public static synchronized String start(String consoleOrigin) {
        if (context == null) {
            AnnotationConfigServletWebServerApplicationContext started =
                    new AnnotationConfigServletWebServerApplicationContext();
            started.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource(
                            "provider",
                            Map.of(
                                    "provider.port", PORT,
                                    "provider.issuer", ISSUER,
                                    "provider.console-origin", consoleOrigin,
                                    "provider.redirect-uri", consoleOrigin + "/console/",
                                    "provider.client-id", CLIENT_ID,
                                    "provider.username", USERNAME,
                                    "provider.password", PASSWORD)));
            started.register(ProviderConfiguration.class);
            started.refresh();
            started.registerShutdownHook();
            context = started;
        }
        return ISSUER;
    }
}
