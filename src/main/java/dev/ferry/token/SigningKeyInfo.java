package dev.ferry.token;

import java.time.Instant;

/**
 * A signing key as operators see it: never its private part.
 *
 * @param state {@code next} (published, not yet signing), {@code active} (signing) or {@code retired}
 *     (published until every token it signed has expired)
 * @param signsFrom when a {@code next} key takes over (scheduled rotation), or when it did
 * @param unpublishedAfter when a retired key leaves the JWKS
 */
public record SigningKeyInfo(
        String kid,
        String algorithm,
        String state,
        Instant createdAt,
        Instant signsFrom,
        Instant retiredAt,
        Instant unpublishedAfter) {}
