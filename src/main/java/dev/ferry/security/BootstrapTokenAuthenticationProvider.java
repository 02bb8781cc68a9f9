package dev.ferry.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Accepts the bootstrap token ({@code ferry.admin.bootstrap-token}) as a bearer token with full
 * admin rights, compared in constant time. With the setting unset it accepts nothing.
 */
final class BootstrapTokenAuthenticationProvider implements AuthenticationProvider {

    static final String ADMIN_AUTHORITY = "SCOPE_ferry:admin";
    static final String READ_AUTHORITY = "SCOPE_ferry:read";

    private final byte[] expected;

    BootstrapTokenAuthenticationProvider(String bootstrapToken) {
        this.expected = bootstrapToken == null || bootstrapToken.isBlank()
                ? null
                : bootstrapToken.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String presented = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (expected == null || !MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new InvalidBearerTokenException("The bearer token is not valid");
        }
        return new BootstrapAuthentication();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** The principal of requests made with the bootstrap token. */
    static final class BootstrapAuthentication extends AbstractAuthenticationToken {
        BootstrapAuthentication() {
            super(List.of(new SimpleGrantedAuthority(ADMIN_AUTHORITY)));
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return "bootstrap";
        }
    }
}
