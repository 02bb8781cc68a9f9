package dev.ferry.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.SigningAlgorithm;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code ferry.keys.max-concurrent-signatures}: with a limit, no more signatures than that are
 * computed at once, however many exchanges mint together; without one, they all sign together.
 * The signer is the real ES256 signer, slowed down so that overlapping signatures are certain.
 */
class SignatureLimitTest {

    private static final int THREADS = 12;

    @Test
    void limitCapsConcurrentSignaturesAndEveryTokenIsValid() throws Exception {
        Result result = mintConcurrently(Map.of("ferry.keys.max-concurrent-signatures", "2"));

        assertThat(result.mostAtOnce()).isEqualTo(2);
        for (String token : result.tokens()) {
            assertThat(SignedJWT.parse(token)
                            .verify(new ECDSAVerifier(result.key().toPublicJWK())))
                    .isTrue();
        }
    }

    @Test
    void withoutLimitSignaturesOverlapFreely() throws Exception {
        Result result = mintConcurrently(Map.of());

        assertThat(result.mostAtOnce()).isGreaterThan(2);
        assertThat(result.tokens()).hasSize(THREADS * 3);
    }

    private record Result(int mostAtOnce, List<String> tokens, ECKey key) {}

    private static Result mintConcurrently(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(settings);
        all.put("ferry.issuer", "https://ferry.test.example");
        FerryProperties properties = new Binder(new MapConfigurationPropertySource(all))
                .bindOrCreate("ferry", Bindable.of(FerryProperties.class));
        ECKey key = (ECKey) SigningKeys.generate(SigningAlgorithm.ES256);
        CountingSigner signer = new CountingSigner(SigningKeys.signer(key));
        SigningKeys keys = FixedKeyRing.of(key, signer, properties);
        TokenMinter minter = new TokenMinter(keys, properties, Clock.systemUTC());
        MintRequest request = new MintRequest(
                "github",
                "https://token.actions.githubusercontent.com",
                "repo:acme/app:ref:refs/heads/main",
                "jti-1",
                "https://deploy.example",
                List.of("deploy"),
                Duration.ofMinutes(5),
                Map.of());

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> minted = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS; i++) {
                minted.add(pool.submit(() -> {
                    start.await();
                    List<String> tokens = new ArrayList<>();
                    for (int n = 0; n < 3; n++) {
                        tokens.add(minter.mint(request).accessToken());
                    }
                    return tokens;
                }));
            }
            start.countDown();
            List<String> tokens = new ArrayList<>();
            for (Future<List<String>> f : minted) {
                tokens.addAll(f.get(30, TimeUnit.SECONDS));
            }
            return new Result(signer.mostAtOnce.get(), tokens, key);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Ferry's signer, counting how many signatures run at once; each takes at least 20 ms. */
    private static final class CountingSigner implements JWSSigner {

        private final JWSSigner delegate;
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger mostAtOnce = new AtomicInteger();

        CountingSigner(JWSSigner delegate) {
            this.delegate = delegate;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
                return delegate.sign(header, signingInput);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JOSEException("interrupted");
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return delegate.supportedJWSAlgorithms();
        }

        @Override
        public JCAContext getJCAContext() {
            return delegate.getJCAContext();
        }
    }
}
