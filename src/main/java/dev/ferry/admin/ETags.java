package dev.ferry.admin;

import dev.ferry.core.DefinitionException;

/**
 * Optimistic concurrency for definitions: the {@code ETag} of a definition is its version, and a
 * {@code PUT} with {@code If-Match} applies only to that version (RFC 9110 §13.1.1).
 */
final class ETags {

    private ETags() {}

    static String of(long version) {
        return "\"" + version + "\"";
    }

    /** The version an {@code If-Match} header names, or null when there is none (or it is {@code *}). */
    static Long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String value = ifMatch.trim();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new DefinitionException.Invalid(
                    "If-Match", "If-Match must be an ETag this API gave out, such as \"3\"");
        }
    }
}
