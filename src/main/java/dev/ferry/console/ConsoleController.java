package dev.ferry.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.config.FerryProperties;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The console's entry points: its page at {@code /console/} and the public settings it reads first,
 * {@code /console/config.json}. Both are public: they hold nothing an anonymous visitor may not see
 * (Ferry's issuer URL and admin audience are in its metadata anyway; an OpenID client id is public).
 */
@RestController
@ConditionalOnBooleanProperty(name = "ferry.console.enabled", matchIfMissing = true)
class ConsoleController {

    /**
     * What the console needs before anyone is signed in.
     *
     * @param issuer Ferry's issuer URL
     * @param adminAudience the audience to ask {@code /token} for when exchanging an ID token for an admin token
     * @param oidc the OpenID provider to sign in with, absent when none is configured
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "The operator console's public settings (ferry.console.*)")
    record ConsoleSettings(String issuer, String adminAudience, OpenIdSignIn oidc) {}

    /**
     * @param issuer the provider's issuer URL; its discovery document is at
     *     {@code <issuer>/.well-known/openid-configuration}
     * @param clientId the console's (public) client id at the provider
     * @param scopes the scopes to ask for, {@code openid} first
     */
    record OpenIdSignIn(String issuer, String clientId, List<String> scopes) {}

    private static final Resource INDEX = new ClassPathResource("console/index.html");

    private final ConsoleSettings settings;

    ConsoleController(FerryProperties properties) {
        FerryProperties.Oidc oidc = properties.console().oidc();
        this.settings = new ConsoleSettings(
                properties.issuerId(),
                properties.adminAudience(),
                oidc.issuer() == null
                        ? null
                        : new OpenIdSignIn(
                                withoutTrailingSlash(oidc.issuer()), oidc.clientId(), oidc.requestedScopes()));
    }

    @GetMapping(value = "/console/config.json", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "The operator console's public settings",
            description = "Unauthenticated: Ferry's issuer and admin audience, and the OpenID provider operators sign"
                    + " in with (ferry.console.oidc.*), if any. Absent when ferry.console.enabled=false.")
    ResponseEntity<ConsoleSettings> settings() {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(settings);
    }

    @Hidden
    @GetMapping(value = "/console/", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noCache())
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .body(INDEX);
    }

    @Hidden
    @GetMapping("/console")
    ResponseEntity<Void> slash() {
        return ResponseEntity.status(HttpStatus.MOVED_PERMANENTLY)
                .location(URI.create("/console/"))
                .build();
    }

    /** The issuer as it appears in {@code iss}, which is also what discovery documents must name. */
    private static String withoutTrailingSlash(URI issuer) {
        String value = issuer.toString();
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
