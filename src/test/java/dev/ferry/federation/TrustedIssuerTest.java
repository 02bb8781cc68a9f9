package dev.ferry.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A claim mapping stored before its name was reserved is never carried into Ferry's tokens. */
class TrustedIssuerTest {

    @Test
    void reservedMappingsStoredEarlierAreNotCarried() {
        Map<String, String> stored = new LinkedHashMap<>();
        stored.put("repository", "repository");
        stored.put("groups", "repository_owner");
        stored.put("roles", "actor");
        stored.put("cnf", "sha");

        assertThat(TrustedIssuer.carriedMappings(stored)).containsOnlyKeys("repository");
    }
}
