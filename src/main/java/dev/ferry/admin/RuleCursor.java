package dev.ferry.admin;

import dev.ferry.core.DefinitionException;
import dev.ferry.core.Slug;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Where a page of rules ends: the last rule's name, as opaque base64url text. */
final class RuleCursor {

    private RuleCursor() {}

    static String encode(String lastName) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastName.getBytes(StandardCharsets.UTF_8));
    }

    /** The name a cursor this API gave out ends at; null for none. */
    static String decode(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String name = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (Slug.isSlug(name)) {
                return name;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new DefinitionException.Invalid("cursor", "cursor is not one this API gave out");
    }
}
