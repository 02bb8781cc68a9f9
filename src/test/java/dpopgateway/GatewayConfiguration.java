package dpopgateway;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.PropertySourcesPlaceholderConfigurer;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * A service behind Ferry's tokens: a Spring Security 7 resource server validating Ferry's JWTs (its
 * JWKS, {@code iss}, {@code typ: at+jwt}, this service's audience) with nothing DPoP-specific configured.
 * Spring Security (6.5 and later) then verifies DPoP-bound tokens by itself: {@code Authorization: DPoP}
 * with a {@code DPoP} proof whose key's thumbprint is the token's {@code cnf.jkt}, whose {@code ath} is the
 * token's hash, and whose {@code htm}/{@code htu} are this request's (RFC 9449 §7); and it refuses a bound
 * token presented as a bearer token. {@code POST /deploy} needs scope {@code deploy}; {@code GET /status}
 * any valid token.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableWebMvc
public class GatewayConfiguration {

    /** Resolves {@code ${gateway.*}} early enough for the web server, which starts before other beans. */
    @Bean
    static PropertySourcesPlaceholderConfigurer placeholders() {
        return new PropertySourcesPlaceholderConfigurer();
    }

    @Bean
    TomcatServletWebServerFactory webServer() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
        factory.setAddress(InetAddress.getLoopbackAddress());
        return factory;
    }

    @Bean
    DispatcherServlet dispatcherServlet() {
        return new DispatcherServlet();
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, JwtDecoder ferryTokens) throws Exception {
        http.authorizeHttpRequests(authorize -> authorize
                        .requestMatchers(HttpMethod.POST, "/deploy")
                        .hasAuthority("SCOPE_deploy")
                        .anyRequest()
                        .authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(jwt -> jwt.decoder(ferryTokens)))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    /** Ferry's tokens, as docs/gateways.md configures them: its issuer (and so its keys), at+jwt, this audience. */
    @Bean
    JwtDecoder ferryTokens(
            @Value("${gateway.ferry-issuer}") String issuer, @Value("${gateway.audience}") String audience) {
        // As spring.security.oauth2.resourceserver.jwt.issuer-uri does: the metadata, then the JWKS and its algorithms.
        NimbusJwtDecoder decoder = JwtDecoders.fromIssuerLocation(issuer);
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(List.of(
                new JwtIssuerValidator(issuer),
                new JwtTypeValidator("at+jwt"),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)))));
        return decoder;
    }

    @RestController
    static class Endpoints {

        @PostMapping("/deploy")
        Map<String, String> deploy() {
            return Map.of("deployed", "yes");
        }

        @GetMapping("/status")
        Map<String, String> status() {
            return Map.of("status", "ok");
        }
    }
}
