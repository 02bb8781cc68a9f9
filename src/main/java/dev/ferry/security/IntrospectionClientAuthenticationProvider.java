package dev.ferry.security;

import dev.ferry.token.IntrospectionClients;
import java.util.List;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** Authenticates introspection clients (HTTP Basic: client id and secret) against {@link IntrospectionClients}. */
final class IntrospectionClientAuthenticationProvider implements AuthenticationProvider {

    private final IntrospectionClients clients;

    IntrospectionClientAuthenticationProvider(IntrospectionClients clients) {
        this.clients = clients;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String id = authentication.getName();
        Object secret = authentication.getCredentials();
        if (!clients.authenticate(id, secret == null ? null : secret.toString())) {
            throw new BadCredentialsException("unknown client or wrong secret");
        }
        return UsernamePasswordAuthenticationToken.authenticated(
                id, null, List.of(new SimpleGrantedAuthority("introspection")));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
