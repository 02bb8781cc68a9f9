package dev.ferry.exchange;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * {@code ferry.exchanges} (count by outcome, issuer and error) and {@code ferry.exchange.duration}
 * (latency histogram, for p50/p99 in Prometheus).
 */
@Component
class ExchangeMetrics {

    private final MeterRegistry registry;
    private final Timer duration;
    private final java.util.Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();

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
        duration.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        String key = outcome + '\n' + issuer + '\n' + error;
        counters.computeIfAbsent(key, k -> Counter.builder("ferry.exchanges")
                        .description("Token exchanges by outcome (issued, refused, rate_limited), issuer and error")
                        .tag("outcome", outcome)
                        .tag("issuer", issuer == null ? "unknown" : issuer)
                        .tag("error", error == null ? "none" : error)
                        .register(registry))
                .increment();
    }
}
