package dev.ferry.exchange;

import dev.ferry.config.FerryProperties;
import dev.ferry.config.RequestLimit;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Limits on {@code POST /token} ({@link RequestLimit}): one per client address, checked before any
 * work, and one per upstream subject, checked once the subject token is verified. Counts are per
 * replica: behind a load balancer spreading requests over N replicas, a caller gets up to about N
 * times the limit.
 */
@Component
class RateLimits {

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
        private final RequestLimit limit;

        Limit(String what, int capacity, Duration period) {
            this.what = what;
            this.limit = new RequestLimit(capacity, period);
        }

        void take(String key) {
            long seconds = limit.take(key);
            if (seconds > 0) {
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
