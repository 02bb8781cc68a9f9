package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.ferry.FerryIntegrationTest.Response;
import dev.ferry.testing.MutableClock;
import dev.ferry.token.KeyRotation;
import dev.ferry.token.MintRequest;
import dev.ferry.token.SigningKeyInfo;
import dev.ferry.token.TokenMinter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import tools.jackson.databind.JsonNode;

/**
 * The signing-key lifecycle against a clock the test moves: a new key is published ahead of use,
 * takes over after the rotation period, and the old one stays published until its tokens have
 * expired; a gateway (Spring Security resource server) accepts tokens across the rotation; several
 * replicas perform each rotation once; the encryption key itself can be rotated.
 */
class KeyLifecycleTest {

    private static final String AUDIENCE = "https://gateway.example.com";
    private static final String KEY_1 = FerryIntegrationTest.ENCRYPTION_KEY;
    private static final String KEY_2 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

    @TempDir
    Path dir;

    private final MutableClock clock =
            new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext ferry(String... extra) {
        int port = FerryIntegrationTest.freePort();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--ferry.issuer=http://127.0.0.1:" + port,
                "--ferry.data-dir=" + dir,
                "--ferry.admin.bootstrap-token=" + FerryIntegrationTest.BOOTSTRAP_TOKEN,
                "--ferry.keys.rotation-check-interval=1d",
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("ferry")));
        args.addAll(List.of(extra));
        if (args.stream().noneMatch(a -> a.startsWith("--ferry.keys.encryption-key="))) {
            args.add("--ferry.keys.encryption-key=" + KEY_1);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FerryApplication.class)
                .initializers(c -> c.getBeanFactory().registerSingleton("clock", clock))
                .run(args.toArray(String[]::new));
        started.add(context);
        return context;
    }

    private static String url(ConfigurableApplicationContext ferry) {
        return ferry.getEnvironment().getProperty("ferry.issuer");
    }

    private static String mint(ConfigurableApplicationContext ferry, Duration lifetime) {
        return ferry.getBean(TokenMinter.class)
                .mint(new MintRequest(
                        "ci",
                        "https://ci.example.com",
                        "repo:acme/app",
                        null,
                        AUDIENCE,
                        List.of("deploy"),
                        lifetime,
                        Map.of()))
                .accessToken();
    }

    private static String kid(String token) throws Exception {
        return SignedJWT.parse(token).getHeader().getKeyID();
    }

    private static List<String> states(ConfigurableApplicationContext ferry) {
        return ferry.getBean(KeyRotation.class).list().stream()
                .map(SigningKeyInfo::state)
                .sorted()
                .toList();
    }

    private static JsonNode jwks(ConfigurableApplicationContext ferry) {
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/.well-known/jwks.json"))
                        .GET()
                        .build())
                .json();
    }

    /** A gateway: Spring Security's decoder from Ferry's issuer URL, RFC 9068 type check, audience, and the test's clock. */
    private NimbusJwtDecoder gateway(ConfigurableApplicationContext ferry) {
        NimbusJwtDecoder decoder = JwtDecoders.fromIssuerLocation(url(ferry));
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setClock(clock);
        OAuth2TokenValidator<Jwt> audience =
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(AUDIENCE));
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
                List.of(new JwtTypeValidator("at+jwt"), new JwtIssuerValidator(url(ferry)), timestamps, audience)));
        return decoder;
    }

    @Test
    void nextKeyIsPublishedAheadThenSignsAndOldKeyStaysPublishedUntilItsTokensExpire() throws Exception {
        ConfigurableApplicationContext ferry = ferry();
        KeyRotation rotation = ferry.getBean(KeyRotation.class);
        NimbusJwtDecoder gateway = gateway(ferry);
        String first = mint(ferry, Duration.ofMinutes(5));
        String oldKid = kid(first);
        assertThat(gateway.decode(first).getSubject()).isEqualTo("ci:repo:acme/app");
        assertThat(rotation.rotateIfDue()).as("nothing due yet").isFalse();

        clock.advance(Duration.ofDays(30).minusHours(1));
        assertThat(rotation.rotateIfDue()).isTrue();
        assertThat(states(ferry)).containsExactly("active", "next");
        assertThat(jwks(ferry).get("keys")).hasSize(2);
        clock.advance(Duration.ofMinutes(59));
        String beforeRotation = mint(ferry, Duration.ofHours(1));
        assertThat(kid(beforeRotation))
                .as("the next key does not sign before its time")
                .isEqualTo(oldKid);

        clock.advance(Duration.ofMinutes(2));
        assertThat(rotation.rotateIfDue()).isTrue();
        assertThat(states(ferry)).containsExactly("active", "retired");
        String afterRotation = mint(ferry, Duration.ofMinutes(5));
        assertThat(kid(afterRotation)).isNotEqualTo(oldKid);
        assertThat(gateway.decode(afterRotation).getSubject()).isEqualTo("ci:repo:acme/app");
        assertThat(gateway.decode(beforeRotation).getSubject())
                .as("old key still published")
                .isEqualTo("ci:repo:acme/app");

        clock.advance(Duration.ofHours(1).plusMinutes(2));
        assertThat(rotation.rotateIfDue()).isTrue();
        assertThat(states(ferry)).containsExactly("active");
        assertThat(jwks(ferry).get("keys")).hasSize(1);
        assertThat(jwks(ferry).toString()).doesNotContain(oldKid);
    }

    @Test
    void keysListAndJwksNeverShowPrivatePartsAndJwksIsCacheableWithinPublishAhead() {
        ConfigurableApplicationContext ferry = ferry("--ferry.keys.publish-ahead=2m");
        Response keys = admin(ferry, "GET", "/admin/v1/keys");
        Response jwks =
                FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/.well-known/jwks.json"))
                        .GET()
                        .build());

        assertThat(keys.body())
                .contains("\"state\":\"active\"")
                .doesNotContain("\"d\"")
                .doesNotContain("privateJwk");
        assertThat(jwks.body()).doesNotContain("\"d\"");
        assertThat(jwks.header("Cache-Control")).isEqualTo("max-age=120, public");
        String etag = jwks.header("ETag");
        Response again =
                FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + "/.well-known/jwks.json"))
                        .header("If-None-Match", etag)
                        .GET()
                        .build());
        assertThat(again.status()).isEqualTo(304);
    }

    @Test
    void rotationOnRequestSignsWithTheNextKeyOnlyOnceGatewaysCachingTheJwksCanHaveSeenIt() throws Exception {
        ConfigurableApplicationContext ferry = ferry();
        KeyRotation rotation = ferry.getBean(KeyRotation.class);
        NimbusJwtDecoder gateway = gateway(ferry);
        String before = mint(ferry, Duration.ofMinutes(5));
        assertThat(gateway.decode(before).getSubject()).isEqualTo("ci:repo:acme/app");

        Response rotated = admin(ferry, "POST", "/admin/v1/keys/rotate");
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(states(ferry)).containsExactly("active", "next");
        JsonNode next = keyInState(rotated.json(), "next");
        Instant created = Instant.parse(next.get("createdAt").stringValue());
        assertThat(Instant.parse(next.get("signsFrom").stringValue()))
                .as("the answer says when the switch happens: after the JWKS max-age (5 minutes)")
                .isEqualTo(created.plus(Duration.ofMinutes(5)));
        assertThat(jwks(ferry).toString()).contains(next.get("kid").stringValue());
        assertThat(kid(mint(ferry, Duration.ofMinutes(5))))
                .as("the next key does not sign while gateways may hold a JWKS without it")
                .isEqualTo(kid(before));

        clock.advance(Duration.ofMinutes(4));
        assertThat(rotation.rotateIfDue()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(rotation.rotateIfDue()).isTrue();
        assertThat(states(ferry)).containsExactly("active", "retired");
        String after = mint(ferry, Duration.ofMinutes(5));
        assertThat(kid(after)).isEqualTo(next.get("kid").stringValue());
        assertThat(gateway.decode(after).getSubject()).isEqualTo("ci:repo:acme/app");
        assertThat(gateway.decode(before).getSubject())
                .as("the old key stays published")
                .isEqualTo("ci:repo:acme/app");
    }

    @Test
    void rotationOnRequestSwitchesAtOnceWhenTheNextKeyHasBeenPublishedLongEnough() throws Exception {
        ConfigurableApplicationContext ferry = ferry();
        KeyRotation rotation = ferry.getBean(KeyRotation.class);
        String before = mint(ferry, Duration.ofMinutes(5));
        clock.advance(Duration.ofDays(30).minusHours(1));
        assertThat(rotation.rotateIfDue()).isTrue();
        assertThat(states(ferry)).containsExactly("active", "next");
        clock.advance(Duration.ofMinutes(6));

        Response rotated = admin(ferry, "POST", "/admin/v1/keys/rotate");

        assertThat(rotated.status()).isEqualTo(200);
        assertThat(states(ferry)).containsExactly("active", "retired");
        assertThat(kid(mint(ferry, Duration.ofMinutes(5)))).isNotEqualTo(kid(before));
        assertThat(jwks(ferry).toString()).contains(kid(before));
    }

    @Test
    void emergencyRotationSignsWithANewKeyAtOnceAndDropsTheOldOnes() throws Exception {
        ConfigurableApplicationContext ferry = ferry();
        String before = mint(ferry, Duration.ofMinutes(5));

        Response rotated = admin(ferry, "POST", "/admin/v1/keys/rotate?compromised=true");

        assertThat(rotated.status()).isEqualTo(200);
        assertThat(states(ferry)).containsExactly("active");
        assertThat(kid(mint(ferry, Duration.ofMinutes(5)))).isNotEqualTo(kid(before));
        assertThat(jwks(ferry).toString()).doesNotContain(kid(before));
        assertThatThrownBy(() -> gateway(ferry).decode(before)).hasMessageContaining("no matching key");
    }

    private static JsonNode keyInState(JsonNode keys, String state) {
        for (JsonNode key : keys) {
            if (state.equals(key.get("state").stringValue())) {
                return key;
            }
        }
        throw new AssertionError("no " + state + " key in " + keys);
    }

    @Test
    void encryptionKeyRotatesThroughPreviousKeys() throws Exception {
        String token;
        ConfigurableApplicationContext first = ferry("--ferry.keys.encryption-key=" + KEY_1);
        token = mint(first, Duration.ofMinutes(5));
        first.close();

        ConfigurableApplicationContext second =
                ferry("--ferry.keys.encryption-key=" + KEY_2, "--ferry.keys.previous-encryption-keys=" + KEY_1);
        assertThat(kid(mint(second, Duration.ofMinutes(5)))).isEqualTo(kid(token));
        second.close();

        ConfigurableApplicationContext third = ferry("--ferry.keys.encryption-key=" + KEY_2);
        assertThat(kid(mint(third, Duration.ofMinutes(5))))
                .as("re-encrypted under the new key at the previous start")
                .isEqualTo(kid(token));
        third.close();

        assertThatThrownBy(() -> ferry("--ferry.keys.encryption-key=" + KEY_1))
                .rootCause()
                .hasMessageContaining("cannot decrypt signing key");
    }

    @Test
    void replicaThatCannotDecryptTheNewActiveKeyIsNotReady() {
        ConfigurableApplicationContext stale = ferry("--ferry.keys.encryption-key=" + KEY_1);
        ConfigurableApplicationContext current =
                ferry("--ferry.keys.encryption-key=" + KEY_2, "--ferry.keys.previous-encryption-keys=" + KEY_1);
        current.getBean(KeyRotation.class).rotateNow(false);
        clock.advance(Duration.ofMinutes(5));
        assertThat(current.getBean(KeyRotation.class).rotateIfDue()).isTrue();

        stale.getBean(dev.ferry.token.SigningKeys.class).reload();

        Response readiness =
                FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(stale) + "/actuator/health/readiness"))
                        .GET()
                        .build());
        assertThat(readiness.status()).isEqualTo(503);
        Response ready = FerryIntegrationTest.send(
                HttpRequest.newBuilder(URI.create(url(current) + "/actuator/health/readiness"))
                        .GET()
                        .build());
        assertThat(ready.status()).isEqualTo(200);
    }

    private static Response admin(ConfigurableApplicationContext ferry, String method, String path) {
        return FerryIntegrationTest.send(HttpRequest.newBuilder(URI.create(url(ferry) + path))
                .header("Authorization", "Bearer " + FerryIntegrationTest.BOOTSTRAP_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build());
    }
}
