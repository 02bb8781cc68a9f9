package dev.ferry.security;

import static dev.ferry.security.BootstrapTokenAuthenticationProvider.ADMIN_AUTHORITY;
import static dev.ferry.security.BootstrapTokenAuthenticationProvider.READ_AUTHORITY;

import dev.ferry.config.FerryProperties;
import dev.ferry.config.RequestLimit;
import dev.ferry.token.FerryTokens;
import dev.ferry.token.IntrospectionClients;
import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.OAuth2ProtectedResourceMetadataFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * Five filter chains. {@code /introspect} takes registered clients' HTTP Basic credentials. {@code /admin/**} is a bearer-token resource server accepting the bootstrap
 * token or Ferry's own access tokens for {@code ferry.admin.audience}, whose {@code scope} grants
 * {@code ferry:admin} (everything) or {@code ferry:read} (GET only). {@code /token} is open: its
 * credential is the subject token. {@code /console/**}, the operator console's static files, is open
 * and sent with a strict Content-Security-Policy. Everything else (what gateways read) is open too. All are
 * stateless and without CSRF protection: no cookies, no sessions.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    /** {@code /introspect} (RFC 7662 §2.1): registered clients only, with HTTP Basic. */
    @Bean
    @Order(0)
    SecurityFilterChain introspectionChain(HttpSecurity http, IntrospectionClients clients, FerryProperties properties)
            throws Exception {
        FerryProperties.RateLimit limits = properties.rateLimit();
        if (limits.enabled()) {
            http.addFilterBefore(
                    new IntrospectionAttemptLimit(new RequestLimit(limits.introspectionFailures(), limits.period())),
                    BasicAuthenticationFilter.class);
        }
        http.securityMatcher("/introspect")
                .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
                .httpBasic(basic -> basic.realmName("ferry-introspection"))
                .authenticationManager(new ProviderManager(new IntrospectionClientAuthenticationProvider(clients)))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    @Bean
    @Order(1)
    SecurityFilterChain adminChain(HttpSecurity http, FerryProperties properties, FerryTokens tokens) throws Exception {
        AuthenticationManager admins = new ProviderManager(
                new BootstrapTokenAuthenticationProvider(properties.admin().bootstrapToken()),
                new JwtAuthenticationProvider(tokens.decoder(properties.adminAudience())));
        http.securityMatcher("/admin/**")
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers(HttpMethod.GET, "/admin/**")
                        .hasAnyAuthority(ADMIN_AUTHORITY, READ_AUTHORITY)
                        .requestMatchers(HttpMethod.POST, "/admin/v1/evaluate", "/admin/v1/impact")
                        .hasAnyAuthority(ADMIN_AUTHORITY, READ_AUTHORITY)
                        .anyRequest()
                        .hasAuthority(ADMIN_AUTHORITY))
                .oauth2ResourceServer(resourceServer -> resourceServer.authenticationManagerResolver(request -> admins))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    /**
     * {@code POST /token}: its credential is the subject token in the body, checked by the exchange
     * itself, so this chain authenticates nobody. It keeps the firewall and the security headers and
     * leaves out what serves browser sessions (logout, request cache, anonymous principal, session
     * and security-context handling), which would only cost time on the busiest endpoint.
     */
    @Bean
    @Order(2)
    SecurityFilterChain tokenChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/token")
                .authorizeHttpRequests(authorize -> authorize.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .anonymous(anonymous -> anonymous.disable())
                .securityContext(context -> context.disable())
                .sessionManagement(sessions -> sessions.disable());
        return http.build();
    }

    /**
     * No Spring Security observations: with a metrics registry present it would open one for every
     * filter of every request, and one more for each authorization decision, {@code POST /token}'s
     * {@code permitAll} included. Requests are still measured as a whole
     * ({@code http.server.requests}, whose {@code status} tag counts the 401 and 403 answers of the
     * admin API and {@code /introspect}) and exchanges by Ferry's own metrics.
     */
    @Bean
    static SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * The operator console (docs/console.md): static files, open to all, each answer carrying a strict
     * Content-Security-Policy: its own scripts and styles only (no inline script or style, no
     * {@code eval}, DOM sinks behind Trusted Types), connections to Ferry and, when one is configured,
     * to the OpenID provider operators sign in with; never framed (clickjacking), no referrer (the
     * authorization code in the callback URL goes nowhere).
     */
    @Bean
    @Order(3)
    SecurityFilterChain consoleChain(HttpSecurity http, FerryProperties properties) throws Exception {
        String policy = consolePolicy(properties.console().oidc());
        http.securityMatcher("/console", "/console/**")
                .authorizeHttpRequests(authorize -> authorize.anyRequest().permitAll())
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(policy))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                        .frameOptions(frames -> frames.deny()))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    /** The console's Content-Security-Policy (CSP Level 3); the provider's origin only when one is configured. */
    static String consolePolicy(FerryProperties.Oidc oidc) {
        String provider = "";
        if (oidc.issuer() != null) {
            URI issuer = oidc.issuer();
            provider = " " + issuer.getScheme() + "://" + issuer.getHost()
                    + (issuer.getPort() < 0 ? "" : ":" + issuer.getPort());
        }
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'"
                + provider + "; form-action 'self'" + provider
                + "; frame-ancestors 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'";
    }

    @Bean
    @Order(4)
    SecurityFilterChain publicChain(HttpSecurity http, FerryProperties properties) throws Exception {
        http.addFilterBefore(protectedResourceMetadata(properties), AuthorizationFilter.class)
                .authorizeHttpRequests(authorize -> authorize.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    /**
     * RFC 9728 metadata for the admin API, where the {@code WWW-Authenticate} of its 401 answers
     * points ({@code resource_metadata}): Ferry is its own authorization server, and these are its scopes.
     */
    private static OAuth2ProtectedResourceMetadataFilter protectedResourceMetadata(FerryProperties properties) {
        OAuth2ProtectedResourceMetadataFilter filter = new OAuth2ProtectedResourceMetadataFilter();
        filter.setProtectedResourceMetadataCustomizer(metadata -> metadata.resource(properties.adminAudience())
                .resourceName("Ferry admin API")
                .authorizationServer(properties.issuerId())
                .scope("ferry:admin")
                .scope("ferry:read")
                .tlsClientCertificateBoundAccessTokens(false));
        return filter;
    }
}
