package dev.ferry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditIdsTest {

    @Test
    void idsAreVersion7UuidsInTheOrderTheyWereMade() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ids.add(AuditIds.next());
        }

        assertThat(ids).allSatisfy(id -> {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
        });
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        // Time-ordered as text too (the column is a varchar): each id sorts after the one before.
        assertThat(ids).isSorted();
        long firstMillis = UUID.fromString(ids.get(0)).getMostSignificantBits() >>> 16;
        assertThat(firstMillis).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
    }
}
