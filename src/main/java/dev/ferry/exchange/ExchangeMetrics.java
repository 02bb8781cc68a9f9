package dev.ferry.exchange;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * {@code ferry.exchanges} (count by outcome, issuer and error) and {@code ferry.exchange.duration}
 * (latency histogram, for p50/p99 in Prometheus).
 */
@Component
class ExchangeMetrics {

    private final MeterRegistry registry;
    private final Timer duration;
    /** The counters by their tags: registering a meter on every request would look it up by hashing its tags. */
    private final Map<Tags, Counter> counters = new ConcurrentHashMap<>();

    private record Tags(String outcome, String issuer, String error) {}

    ExchangeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("ferry.exchange.duration")
                .description("Time to answer POST /token")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    void record(String outcome, String issuer, String error, long startNanos) {
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        counters.computeIfAbsent(
                        new Tags(outcome, issuer, error),
                        k -> Counter.builder("ferry.exchanges")
                                .description(
                                        "Token exchanges by outcome (issued, refused, rate_limited), issuer and error")
                                .tag("outcome", outcome)
                                .tag("issuer", issuer == null ? "unknown" : issuer)
                                .tag("error", error == null ? "none" : error)
                                .register(registry))
                .increment();
    }
}
