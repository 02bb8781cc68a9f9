package example.gateway;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A service behind Ferry: it accepts Ferry's access tokens (application.yml names Ferry's issuer URL
 * and the audience this service is) and requires a scope per route.
 */
@SpringBootApplication
@RestController
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }

    /** Each route and the scope it requires; everything else is refused. */
    @Bean
    SecurityFilterChain routes(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(authorize -> authorize
                        .requestMatchers("/deploy")
                        .hasAuthority("SCOPE_deploy")
                        .requestMatchers("/status")
                        .hasAnyAuthority("SCOPE_read", "SCOPE_deploy")
                        .anyRequest()
                        .denyAll())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(jwt -> {}))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    /**
     * Ferry's tokens are RFC 9068 access tokens, {@code typ: at+jwt}. Spring Security 7 accepts only
     * {@code typ: JWT} by default; this bean replaces that check (Boot adds it to the issuer and
     * audience checks it builds from application.yml).
     */
    @Bean
    JwtTypeValidator accessTokenType() {
        return new JwtTypeValidator("at+jwt");
    }

    @PostMapping("/deploy")
    Map<String, Object> deploy(@AuthenticationPrincipal Jwt caller) {
        return Map.of(
                "deployed",
                true,
                "by",
                caller.getSubject(),
                "repository",
                String.valueOf(caller.getClaimAsString("repository")));
    }

    @GetMapping("/status")
    Map<String, Object> status(@AuthenticationPrincipal Jwt caller) {
        return Map.of("ok", true, "caller", caller.getSubject());
    }
}
