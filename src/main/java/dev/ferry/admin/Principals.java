package dev.ferry.admin;

import org.springframework.security.core.Authentication;

/** The name an admin call is audited under: the admin token's {@code sub}, or {@code bootstrap}. */
final class Principals {

    private Principals() {}

    static String name(Authentication authentication) {
        return authentication == null ? "anonymous" : authentication.getName();
    }
}
