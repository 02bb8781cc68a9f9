package dev.ferry.security;

import dev.ferry.config.RequestLimit;
import dev.ferry.web.ErrorResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Failed client authentications at {@code /introspect}, limited per client address: each check of a
 * secret costs a slow password hash, so once an address has failed {@code
 * ferry.rate-limit.introspection-failures} times in a period, it is answered 429 with {@code
 * Retry-After} before any secret is checked. Successful calls are not counted.
 */
final class IntrospectionAttemptLimit extends OncePerRequestFilter {

    private final RequestLimit failures;

    IntrospectionAttemptLimit(RequestLimit failures) {
        this.failures = failures;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String address = request.getRemoteAddr();
        long wait = failures.waitFor(address);
        if (wait > 0) {
            ErrorResponses.write(
                    request,
                    response,
                    429,
                    "about:blank",
                    "Too many requests",
                    "too many failed client authentications from this address; retry after " + wait + " s",
                    String.valueOf(wait));
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            failures.take(address);
        }
    }
}
