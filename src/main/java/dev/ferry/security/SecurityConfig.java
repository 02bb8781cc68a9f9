package dev.ferry.security;

import static dev.ferry.security.BootstrapTokenAuthenticationProvider.ADMIN_AUTHORITY;
import static dev.ferry.security.BootstrapTokenAuthenticationProvider.READ_AUTHORITY;

import dev.ferry.config.FerryProperties;
import dev.ferry.token.FerryTokens;
import dev.ferry.token.IntrospectionClients;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.OAuth2ProtectedResourceMetadataFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Three filter chains. {@code /introspect} takes registered clients' HTTP Basic credentials. {@code /admin/**} is a bearer-token resource server accepting the bootstrap
 * token or Ferry's own access tokens for {@code ferry.admin.audience}, whose {@code scope} grants
 * {@code ferry:admin} (everything) or {@code ferry:read} (GET only); everything else (the token
 * endpoint, whose credential is the subject token, and what gateways read) is open. Both are
 * stateless and without CSRF protection: no cookies, no sessions.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    /** {@code /introspect} (RFC 7662 §2.1): registered clients only, with HTTP Basic. */
    @Bean
    @Order(0)
    SecurityFilterChain introspectionChain(HttpSecurity http, IntrospectionClients clients) throws Exception {
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
                        .requestMatchers(HttpMethod.GET, "/admin/**").hasAnyAuthority(ADMIN_AUTHORITY, READ_AUTHORITY)
                        .requestMatchers(HttpMethod.POST, "/admin/v1/evaluate").hasAnyAuthority(ADMIN_AUTHORITY, READ_AUTHORITY)
                        .anyRequest().hasAuthority(ADMIN_AUTHORITY))
                .oauth2ResourceServer(resourceServer -> resourceServer.authenticationManagerResolver(request -> admins))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    @Bean
    @Order(2)
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
        filter.setProtectedResourceMetadataCustomizer(metadata -> metadata
                .resource(properties.adminAudience())
                .resourceName("Ferry admin API")
                .authorizationServer(properties.issuerId())
                .scope("ferry:admin")
                .scope("ferry:read")
                .tlsClientCertificateBoundAccessTokens(false));
        return filter;
    }
}
