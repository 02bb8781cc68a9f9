package dev.ferry.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.Base64URL;
import dev.ferry.config.FerryProperties;
import dev.ferry.testing.TestDpop;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The proof verifier on its own, without a server: garbled proofs of every shape are refused with a
 * reason ({@link DpopProofRejected}), never with another exception (which {@code /token} would answer
 * with a 500); and {@code htu} is compared after RFC 3986 normalization.
 */
class DpopProofVerifierTest {

    private static final String ENDPOINT = "https://ferry.example.com/token";

    /** Ferry's defaults, issuer {@code https://ferry.example.com}; no proof gets as far as the database. */
    private static final DpopProofVerifier VERIFIER = verifier();

    private static DpopProofVerifier verifier() {
        FerryProperties properties = new Binder(
                        new MapConfigurationPropertySource(Map.of("ferry.issuer", "https://ferry.example.com")))
                .bindOrCreate("ferry", FerryProperties.class);
        return new DpopProofVerifier(properties, null, new DpopNonces(List::of, Clock.systemUTC(), properties));
    }

    private static final TestDpop KEY = TestDpop.es256();

    static Stream<Arguments> garbled() {
        String valid = KEY.proof("POST", ENDPOINT).sign();
        String[] parts = valid.split("\\.");
        Function<String, String> withHeader = json -> Base64URL.encode(json) + "." + parts[1] + "." + parts[2];
        Function<String, String> withPayload = json -> parts[0] + "." + Base64URL.encode(json) + "." + parts[2];
        String jwk = "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}";
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("blank", "   "),
                Arguments.of("one part", "abc"),
                Arguments.of("two parts", parts[0] + "." + parts[1]),
                Arguments.of("four parts", valid + ".x"),
                Arguments.of("five parts (JWE)", "a.b.c.d.e"),
                Arguments.of("header not base64url", "!!!." + parts[1] + "." + parts[2]),
                Arguments.of("header not JSON", withHeader.apply("not json")),
                Arguments.of("header a JSON array", withHeader.apply("[1,2]")),
                Arguments.of("header with a number for typ", withHeader.apply("{\"typ\":7,\"alg\":\"ES256\"}")),
                Arguments.of("header with a number for alg", withHeader.apply("{\"typ\":\"dpop+jwt\",\"alg\":7}")),
                Arguments.of("jwk a string", withHeader.apply(jwk.formatted("\"key\""))),
                Arguments.of("jwk without kty", withHeader.apply(jwk.formatted("{\"x\":\"AAAA\"}"))),
                Arguments.of(
                        "jwk EC point off the curve",
                        withHeader.apply(
                                jwk.formatted("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}"))),
                Arguments.of(
                        "jwk EC of another curve",
                        withHeader.apply(
                                jwk.formatted("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AAAA\",\"y\":\"AAAA\"}"))),
                Arguments.of(
                        "jwk RSA too small",
                        withHeader.apply(
                                "{\"typ\":\"dpop+jwt\",\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}}")),
                Arguments.of(
                        "jwk X25519 for EdDSA",
                        withHeader.apply(
                                "{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AAAA\"}}")),
                Arguments.of("jwk symmetric", withHeader.apply(jwk.formatted("{\"kty\":\"oct\",\"k\":\"AAAA\"}"))),
                Arguments.of(
                        "jwk Ed25519 with a 3-byte x (the crypto library throws on it)",
                        withHeader.apply(
                                "{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}}")),
                Arguments.of(
                        "jwk RSA of 512 bits padded with zero bytes to 2048",
                        withHeader.apply("{\"typ\":\"dpop+jwt\",\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"n\":\""
                                + Base64URL.encode(paddedModulus()) + "\",\"e\":\"AQAB\"}}")),
                Arguments.of("signature not base64url", parts[0] + "." + parts[1] + ".!!!"),
                Arguments.of("signature empty", parts[0] + "." + parts[1] + "."),
                Arguments.of("payload not JSON", withPayload.apply("not json")),
                Arguments.of("payload a JSON array", withPayload.apply("[]")),
                Arguments.of(
                        "iat a string",
                        KEY.proof("POST", ENDPOINT).claim("iat", "now").sign()),
                Arguments.of(
                        "iat huge",
                        KEY.proof("POST", ENDPOINT).claim("iat", 1e300).sign()),
                Arguments.of(
                        "jti a number",
                        KEY.proof("POST", ENDPOINT).claim("jti", 7).sign()),
                Arguments.of(
                        "htu a number",
                        KEY.proof("POST", ENDPOINT).claim("htu", 7).sign()),
                Arguments.of("htu not a URI", KEY.proof("POST", "http://[::1").sign()),
                Arguments.of(
                        "htm an object",
                        KEY.proof("POST", ENDPOINT).claim("htm", Map.of("a", 1)).sign()),
                Arguments.of(
                        "longer than 8192 characters",
                        KEY.proof("POST", ENDPOINT)
                                .claim("pad", "x".repeat(9000))
                                .sign()),
                Arguments.of("not ASCII", new String(new byte[] {(byte) 0xC3, (byte) 0xA9}, StandardCharsets.UTF_8)));
    }

    /** A 512-bit RSA modulus after 192 zero bytes: 256 bytes, as a 2048-bit one would be encoded. */
    private static byte[] paddedModulus() {
        byte[] modulus = new byte[256];
        java.math.BigInteger small = java.math.BigInteger.ONE.shiftLeft(511).add(java.math.BigInteger.ONE);
        byte[] bytes = small.toByteArray();
        System.arraycopy(bytes, bytes.length - 64, modulus, 192, 64);
        return modulus;
    }

    @Test
    void aValueThatIsNotAStringReachesTheDetailByItsTypeOnly() {
        String proof = KEY.proof("POST", ENDPOINT)
                .claim("htu", List.of("x\nINFO forged line"))
                .sign();

        assertThatThrownBy(() -> VERIFIER.verify(List.of(proof), Instant.now()))
                .isInstanceOfSatisfying(
                        DpopProofRejected.class,
                        rejected -> assertThat(rejected.detail()).isEqualTo("htu was an array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbled")
    void aGarbledProofIsRefusedWithAReasonNeverAnotherException(String name, String proof) {
        assertThatThrownBy(() -> VERIFIER.verify(List.of(proof), Instant.now()))
                .isInstanceOf(DpopProofRejected.class)
                .satisfies(e -> {
                    DpopProofRejected rejected = (DpopProofRejected) e;
                    assertThat(rejected.errorCode()).isEqualTo("invalid_dpop_proof");
                    assertThat(rejected.getMessage()).isNotBlank();
                });
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "https://ferry.example.com/token, https://ferry.example.com/token",
        "HTTPS://Ferry.Example.COM/token, https://ferry.example.com/token",
        "https://ferry.example.com:443/token, https://ferry.example.com/token",
        "http://ferry.example.com:80/token, http://ferry.example.com/token",
        "http://ferry.example.com:8080/token, http://ferry.example.com:8080/token",
        "https://ferry.example.com/token?x=1#y, https://ferry.example.com/token",
        "https://ferry.example.com/a/../token, https://ferry.example.com/token",
        "https://ferry.example.com/./token, https://ferry.example.com/token",
        "https://ferry.example.com/%74oken, https://ferry.example.com/token",
        "https://ferry.example.com/a%2fb, https://ferry.example.com/a%2Fb",
        "https://ferry.example.com, https://ferry.example.com/",
        "https://ferry.example.com/Token, https://ferry.example.com/Token"
    })
    void htuIsNormalizedAsRfc3986Says(String given, String normalized) {
        assertThat(HttpTargetUri.normalized(given)).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ftp://ferry.example.com/token", "/token", "https://user@ferry.example.com/token", "not a uri at all"})
    void htuThatIsNoHttpUrlIsNone(String given) {
        assertThat(HttpTargetUri.normalized(given)).isNull();
    }
}
