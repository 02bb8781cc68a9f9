package dev.ferry.core;

import com.google.re2j.Pattern;

/**
 * The names of issuers, rules and introspection clients: 1 to 64 of {@code a-z}, {@code 0-9} and
 * {@code -}, not starting or ending with {@code -}. Safe in a URL path, a log line and a file name.
 */
public final class Slug {

    private static final Pattern PATTERN = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");

    private Slug() {}

    public static boolean isSlug(String value) {
        return value != null && PATTERN.matches(value);
    }

    /** {@code value}, or {@link DefinitionException.Invalid} naming {@code field} when it is not a slug. */
    public static String require(String field, String value) {
        if (!isSlug(value)) {
            throw new DefinitionException.Invalid(
                    field, field + " must be a slug: 1 to 64 of a-z, 0-9 and '-', not starting or ending with '-'");
        }
        return value;
    }
}
