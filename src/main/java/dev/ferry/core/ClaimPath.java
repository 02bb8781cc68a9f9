package dev.ferry.core;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * How definitions name a claim: a top-level claim name, or a dotted path into nested objects
 * ({@code "extra.team"}). A top-level name that itself contains dots (such as a namespaced
 * {@code "https://example.com/role"}) is found first, as it is written.
 */
public final class ClaimPath {

    private ClaimPath() {}

    /** The claim's value, or a {@link MissingNode} when the claims do not have it. */
    public static JsonNode resolve(JsonNode claims, String path) {
        JsonNode direct = claims.get(path);
        if (direct != null || path.indexOf('.') < 0) {
            return direct == null ? MissingNode.getInstance() : direct;
        }
        JsonNode node = claims;
        for (String segment : path.split("\\.", -1)) {
            node = node.isObject() ? node.get(segment) : null;
            if (node == null) {
                return MissingNode.getInstance();
            }
        }
        return node;
    }
}
