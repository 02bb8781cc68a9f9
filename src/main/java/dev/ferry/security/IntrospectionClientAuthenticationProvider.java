package dev.ferry.security;

import dev.ferry.token.IntrospectionClients;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Authenticates introspection clients (HTTP Basic: client id and secret) against {@link IntrospectionClients}.
 *
 * <p>RFC 6749 §2.3.1: the client id and secret are {@code application/x-www-form-urlencoded} before
 * they are Basic-encoded, so a client that follows it sends a secret's {@code -} as {@code %2D}. Both
 * are decoded here; text without {@code %} or {@code +} (what Ferry generates, sent raw by most
 * clients) decodes to itself, so the raw form keeps working.
 */
final class IntrospectionClientAuthenticationProvider implements AuthenticationProvider {

    private final IntrospectionClients clients;

    IntrospectionClientAuthenticationProvider(IntrospectionClients clients) {
        this.clients = clients;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String id = formDecoded(authentication.getName());
        Object secret = authentication.getCredentials();
        if (!clients.authenticate(id, secret == null ? null : formDecoded(secret.toString()))) {
            throw new BadCredentialsException("unknown client or wrong secret");
        }
        return UsernamePasswordAuthenticationToken.authenticated(
                id, null, List.of(new SimpleGrantedAuthority("introspection")));
    }

    /** {@code text} form-urlencoding decoded; a malformed escape is a wrong credential, not an error. */
    private static String formDecoded(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadCredentialsException("malformed client credentials");
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
