package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.testing.TestIssuer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How Ferry obtains and caches issuers' keys: discovery, rotation, outages, rate limits, and the
 * keys it refuses to use even when an issuer publishes them.
 */
class IssuerKeysTest extends FerryIntegrationTest {

    private static final String TARGET = "https://keys.example.com";
    private final List<TestIssuer> started = new ArrayList<>();

    @AfterEach
    void stopIssuers() {
        started.forEach(TestIssuer::close);
    }

    /** A fresh issuer, registered in Ferry with one allow rule; returns its TestIssuer. */
    private TestIssuer trusted(String pathPrefix, Map<String, Object> overrides) {
        TestIssuer issuer = new TestIssuer(pathPrefix).start();
        started.add(issuer);
        String name = unique("keys");
        Map<String, Object> definition = issuerFor(name, issuer.url(), TestIssuer.DEFAULT_AUDIENCE);
        definition.putAll(overrides);
        create("issuers", definition);
        create(
                "rules",
                rule(
                        unique("keys-allow"),
                        name,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        return issuer;
    }

    private TestIssuer trusted() {
        return trusted("", Map.of());
    }

    @Test
    void exchangeAfterIssuerRotatesKeyThenSucceeds() {
        TestIssuer issuer = trusted();
        assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);

        issuer.rotateKey();

        Response response = exchange(issuer.github().sign(), TARGET);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(issuer.jwksFetches()).isEqualTo(2);
    }

    @Test
    void fiftyExchangesFetchJwksOnce() {
        TestIssuer issuer = trusted();
        for (int i = 0; i < 50; i++) {
            assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);
        }
        assertThat(issuer.jwksFetches()).isEqualTo(1);
        assertThat(issuer.discoveryFetches()).isEqualTo(1);
    }

    @Test
    void burstOf200ExchangesWithNewKidCausesAtMostTwoJwksFetches() throws Exception {
        TestIssuer issuer = trusted();
        assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);
        issuer.rotateKey();
        issuer.resetCounters();

        int burst = 200;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            tokens.add(issuer.github().sign());
        }
        // One thread per exchange, all released at once: the 200 requests reach Ferry together.
        ExecutorService pool = Executors.newFixedThreadPool(burst);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String token : tokens) {
                results.add(pool.submit(() -> {
                    start.await();
                    return exchange(token, TARGET).status();
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(issuer.jwksFetches()).isBetween(1, 2);
    }

    @Test
    void unknownKidsRefreshJwksAtMostTwiceInTheRateLimitWindow() {
        TestIssuer issuer = trusted();
        assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);
        issuer.resetCounters();

        for (int i = 0; i < 20; i++) {
            Response response =
                    exchange(issuer.github().signWith(TestIssuer.newKey()).sign(), TARGET);
            assertThat(response.status()).isEqualTo(400);
        }
        assertThat(issuer.jwksFetches()).isLessThanOrEqualTo(1);
    }

    @Test
    void exchangeWhileIssuerDownWithKeysCachedThenSucceeds() {
        TestIssuer issuer = trusted();
        assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);

        issuer.goDown();

        Response response = exchange(issuer.github().sign(), TARGET);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void exchangeWhileIssuerDownWithNothingCachedThenTemporarilyUnavailable() {
        TestIssuer issuer = trusted();
        issuer.goDown();

        Response response = exchange(issuer.github().sign(), TARGET);

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("30");
        assertThat(response.json().get("error").stringValue()).isEqualTo("temporarily_unavailable");
        Map<String, Object> event =
                auditEvent(response.json().get("exchange_id").stringValue());
        assertThat(event.get("outcome")).isEqualTo("refused");
        assertThat(event.get("error")).isEqualTo("temporarily_unavailable");
    }

    @Test
    void jwksRedirectIsNotFollowed() {
        TestIssuer attacker = new TestIssuer().start();
        started.add(attacker);
        TestIssuer issuer = trusted();
        issuer.redirectJwksTo(attacker.jwksUri());

        Response response =
                exchange(issuer.github().signWith(attacker.currentKey()).sign(), TARGET);

        assertThat(response.status()).isEqualTo(503);
        assertThat(attacker.jwksFetches()).isZero();
    }

    @Test
    void discoveryNamingAnotherIssuerIsRefused() {
        TestIssuer issuer = trusted();
        issuer.discoveryIssuer("https://evil.example.com");

        Response response = exchange(issuer.github().sign(), TARGET);

        assertThat(response.status()).isEqualTo(503);
        assertThat(issuer.jwksFetches()).isZero();
    }

    @Test
    void enterpriseSlugIssuerFindsJwksAtTheRootThroughDiscovery() {
        TestIssuer issuer = trusted("/acme", Map.of());
        assertThat(issuer.url()).endsWith("/acme");

        Response response = exchange(issuer.github().sign(), TARGET);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(issuer.jwksFetches()).isEqualTo(1);
    }

    @Test
    void explicitJwksUriSkipsDiscovery() {
        TestIssuer issuer = new TestIssuer().start();
        started.add(issuer);
        String name = unique("keys-uri");
        Map<String, Object> definition = issuerFor(name, issuer.url(), TestIssuer.DEFAULT_AUDIENCE);
        definition.put("jwksUri", issuer.jwksUri());
        create("issuers", definition);
        create(
                "rules",
                rule(
                        unique("keys-uri-allow"),
                        name,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of()));

        assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);
        assertThat(issuer.discoveryFetches()).isZero();
    }

    @Test
    void inlineJwksNeedsNoNetwork() {
        TestIssuer issuer = new TestIssuer().start();
        started.add(issuer);
        String name = unique("keys-inline");
        Map<String, Object> definition = issuerFor(name, issuer.url(), TestIssuer.DEFAULT_AUDIENCE);
        definition.put("jwks", new JWKSet(issuer.currentKey().toPublicJWK()).toJSONObject(true));
        create("issuers", definition);
        create(
                "rules",
                rule(
                        unique("keys-inline-allow"),
                        name,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of()));
        issuer.goDown();

        assertThat(exchange(issuer.github().sign(), TARGET).status()).isEqualTo(200);
        assertThat(issuer.jwksFetches() + issuer.discoveryFetches()).isZero();
    }

    @Test
    void keyWhoseKidIsNotUniqueIsRefused() {
        TestIssuer issuer = trusted();
        RSAKey twin = new RSAKey.Builder(TestIssuer.newKey())
                .keyID(issuer.currentKey().getKeyID())
                .build();
        issuer.publish(new JWKSet(List.of(issuer.currentKey().toPublicJWK(), twin.toPublicJWK())));

        assertUnsuitable(exchange(issuer.github().sign(), TARGET), "not unique");
    }

    @Test
    void tokenWithoutKidIsRefusedWhenTheMatchingKeysKidIsNotUnique() throws Exception {
        TestIssuer issuer = trusted();
        RSAKey rsa = new RSAKey.Builder(issuer.currentKey()).keyID("shared").build();
        com.nimbusds.jose.jwk.ECKey ec = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
                .keyID("shared")
                .generate();
        issuer.publish(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));

        assertUnsuitable(exchange(issuer.github().signWith(rsa).keyId(null).sign(), TARGET), "not unique");
    }

    @Test
    void tokenWithoutKidIsVerifiedWithTheOneSuitableKey() {
        TestIssuer issuer = trusted();

        Response response = exchange(issuer.github().keyId(null).sign(), TARGET);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void keyMarkedForEncryptionIsRefused() {
        TestIssuer issuer = trusted();
        RSAKey enc = new RSAKey.Builder(issuer.currentKey().toPublicJWK())
                .keyUse(KeyUse.ENCRYPTION)
                .build();
        issuer.publish(new JWKSet(enc));

        assertUnsuitable(exchange(issuer.github().sign(), TARGET), "use: enc");
    }

    @Test
    void keyForAnotherAlgorithmIsRefused() {
        TestIssuer issuer = trusted();
        RSAKey rs512 = new RSAKey.Builder(issuer.currentKey().toPublicJWK())
                .algorithm(JWSAlgorithm.RS512)
                .build();
        issuer.publish(new JWKSet(rs512));

        assertUnsuitable(exchange(issuer.github().sign(), TARGET), "is for RS512");
    }

    @Test
    void rsaKeyUnder2048BitsIsRefused() {
        TestIssuer issuer = trusted();
        RSAKey weak = TestIssuer.newKey(1024);
        issuer.publish(new JWKSet(weak.toPublicJWK()));

        assertUnsuitable(exchange(issuer.github().signWith(weak).sign(), TARGET), "2048");
    }

    @Test
    void symmetricKeyIsRefused() {
        TestIssuer issuer = trusted();
        OctetSequenceKey secret = new OctetSequenceKey.Builder(new byte[32])
                .keyID(issuer.currentKey().getKeyID())
                .build();
        issuer.publish(new JWKSet(secret));

        assertUnsuitable(exchange(issuer.github().sign(), TARGET), "symmetric");
    }

    @Test
    void keyWhoseKeyOpsLackVerifyIsRefused() {
        TestIssuer issuer = trusted();
        RSAKey signOnly = new RSAKey.Builder(issuer.currentKey().toPublicJWK())
                .keyOperations(java.util.Set.of(com.nimbusds.jose.jwk.KeyOperation.SIGN))
                .build();
        issuer.publish(new JWKSet(signOnly));

        assertUnsuitable(exchange(issuer.github().sign(), TARGET), "key_ops");
    }

    @Test
    void keyWhoseKeyOpsIncludeVerifyIsUsed() {
        TestIssuer issuer = trusted();
        RSAKey verifying = new RSAKey.Builder(issuer.currentKey().toPublicJWK())
                .keyOperations(java.util.Set.of(
                        com.nimbusds.jose.jwk.KeyOperation.VERIFY, com.nimbusds.jose.jwk.KeyOperation.SIGN))
                .build();
        issuer.publish(new JWKSet(verifying));

        Response accepted = exchange(issuer.github().sign(), TARGET);

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
    }

    private void assertUnsuitable(Response response, String why) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("error").stringValue()).isEqualTo("invalid_request");
        assertThat(response.json().get("error_description").stringValue())
                .as("the caller learns nothing of the issuer's keys before a signature is verified")
                .isEqualTo(SubjectTokenRejected.UNTRUSTED);
        Map<String, Object> event =
                auditEvent(response.json().get("exchange_id").stringValue());
        assertThat(event.get("outcome")).isEqualTo("refused");
        assertThat((String) event.get("detail")).contains("cannot be used").contains(why);
    }
}
