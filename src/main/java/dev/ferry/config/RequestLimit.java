package dev.ferry.config;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * At most {@code capacity} events per {@code period} for each key (a client address, an upstream
 * subject): token buckets (Bucket4j) kept in a bounded Caffeine cache and dropped after a period of
 * quiet. Counts are per replica.
 */
public final class RequestLimit {

    private static final long MAX_KEYS = 100_000;

    private final Bandwidth bandwidth;
    private final Cache<String, Bucket> buckets;

    public RequestLimit(int capacity, Duration period) {
        this.bandwidth = Bandwidth.builder()
                .capacity(capacity)
                .refillGreedy(capacity, period)
                .build();
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_KEYS)
                .expireAfterAccess(period.multipliedBy(2))
                .build();
    }

    /** Counts one event for {@code key}: 0 when it was within the limit, else the seconds to wait. */
    public long take(String key) {
        var probe = bucket(key).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : seconds(probe.getNanosToWaitForRefill());
    }

    /** Without counting anything: 0 when {@code key} may have one more event now, else the seconds to wait. */
    public long waitFor(String key) {
        Bucket bucket = buckets.getIfPresent(key);
        return bucket == null ? 0 : seconds(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    private Bucket bucket(String key) {
        return buckets.get(key, k -> Bucket.builder().addLimit(bandwidth).build());
    }

    private static long seconds(long nanos) {
        return nanos <= 0 ? 0 : Math.max(1, Duration.ofNanos(nanos).toSeconds() + 1);
    }
}
