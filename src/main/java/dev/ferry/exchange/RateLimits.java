package dev.ferry.exchange;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ferry.config.FerryProperties;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Token buckets (Bucket4j) on {@code POST /token}: one per client address, checked before any work,
 * and one per upstream subject, checked once the subject token is verified. Buckets live in a bounded
 * Caffeine cache and are dropped after a period of quiet. Counts are per replica: behind a load
 * balancer spreading requests over N replicas, a caller gets up to about N times the limit.
 */
@Component
class RateLimits {

    private static final long MAX_KEYS = 100_000;

    private final boolean enabled;
    private final Limit perAddress;
    private final Limit perSubject;

    RateLimits(FerryProperties properties) {
        FerryProperties.RateLimit settings = properties.rateLimit();
        this.enabled = settings.enabled();
        this.perAddress = new Limit("client address", settings.perAddress(), settings.period());
        this.perSubject = new Limit("subject", settings.perSubject(), settings.period());
    }

    void checkAddress(String address) {
        if (enabled) {
            perAddress.take(address);
        }
    }

    void checkSubject(String issuer, String subject) {
        if (enabled) {
            perSubject.take(issuer + "\n" + subject);
        }
    }

    private static final class Limit {
        private final String what;
        private final Bandwidth bandwidth;
        private final Cache<String, Bucket> buckets;

        Limit(String what, int capacity, Duration period) {
            this.what = what;
            this.bandwidth = Bandwidth.builder()
                    .capacity(capacity)
                    .refillGreedy(capacity, period)
                    .build();
            this.buckets = Caffeine.newBuilder()
                    .maximumSize(MAX_KEYS)
                    .expireAfterAccess(period.multipliedBy(2))
                    .build();
        }

        void take(String key) {
            ConsumptionProbe probe = buckets.get(
                            key, k -> Bucket.builder().addLimit(bandwidth).build())
                    .tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                long seconds = Math.max(
                        1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
                throw new ExchangeError(
                        "temporarily_unavailable",
                        "too many token requests for this " + what + "; retry after " + seconds + " s",
                        HttpStatus.TOO_MANY_REQUESTS,
                        "rate limited: " + what,
                        seconds);
            }
        }
    }
}
