package dev.ferry.config;

import static dev.ferry.config.BootstrapTokenAuthenticationProvider.ADMIN_AUTHORITY;
import static dev.ferry.config.BootstrapTokenAuthenticationProvider.READ_AUTHORITY;

import dev.ferry.token.SigningKeys;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Two filter chains. {@code /admin/**} is a bearer-token resource server accepting the bootstrap
 * token or Ferry's own access tokens for {@code ferry.admin.audience}, whose {@code scope} grants
 * {@code ferry:admin} (everything) or {@code ferry:read} (GET only); everything else (the token
 * endpoint, whose credential is the subject token, and what gateways read) is open. Both are
 * stateless and without CSRF protection: no cookies, no sessions.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    @Order(1)
    SecurityFilterChain adminChain(HttpSecurity http, FerryProperties properties, SigningKeys keys) throws Exception {
        AuthenticationManager admins = new ProviderManager(
                new BootstrapTokenAuthenticationProvider(properties.admin().bootstrapToken()),
                new JwtAuthenticationProvider(AdminTokenDecoder.create(keys, properties)));
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
    SecurityFilterChain publicChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(authorize -> authorize.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }
}
