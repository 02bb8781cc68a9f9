package dev.ferry.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The ceiling: the bare cryptography of one exchange, with nothing of Ferry's. Verify the RS256
 * signature of a GitHub-shaped subject token (Nimbus {@link RSASSAVerifier}, parsing done in
 * advance), then sign an access token's signing input with {@code alg} (Nimbus signers, as Ferry
 * uses them). No exchange can go faster than this on the same JDK and threads; {@code bench/load.sh}
 * divides the measured {@code /token} rate by it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CeilingBenchmark {

    @Param({"ES256", "RS256", "PS256", "EdDSA"})
    public String alg;

    private RSASSAVerifier verifier;
    private JWSObject subjectToken;
    private JWSSigner signer;
    private JWSHeader header;
    private byte[] signingInput;

    @Setup
    public void setUp() throws JOSEException, ParseException {
        RSAKey issuerKey = GithubTokens.newIssuerKey();
        subjectToken = JWSObject.parse(GithubTokens.token(issuerKey, 7, Instant.now()));
        verifier = new RSASSAVerifier(issuerKey.toPublicJWK());

        JWSAlgorithm algorithm = JWSAlgorithm.parse(alg);
        JWK key = key(algorithm);
        signer = signer(key);
        header = new JWSHeader.Builder(algorithm)
                .type(new JOSEObjectType("at+jwt"))
                .keyID(key.getKeyID())
                .build();
        String payload = Base64URL.encode(
                        JSONObjectUtils.toJSONString(GithubTokens.claims(7, Instant.now(), Duration.ofMinutes(10))))
                .toString();
        signingInput = (header.toBase64URL() + "." + payload).getBytes(StandardCharsets.US_ASCII);
        if (!exchange()) {
            throw new IllegalStateException("the subject token does not verify");
        }
    }

    private static JWK key(JWSAlgorithm algorithm) throws JOSEException {
        if (JWSAlgorithm.ES256.equals(algorithm)) {
            return new ECKeyGenerator(Curve.P_256)
                    .algorithm(algorithm)
                    .keyIDFromThumbprint(true)
                    .generate();
        }
        if (JWSAlgorithm.EdDSA.equals(algorithm)) {
            return new OctetKeyPairGenerator(Curve.Ed25519)
                    .algorithm(algorithm)
                    .keyIDFromThumbprint(true)
                    .generate();
        }
        return new RSAKeyGenerator(2048)
                .algorithm(algorithm)
                .keyIDFromThumbprint(true)
                .generate();
    }

    private static JWSSigner signer(JWK key) throws JOSEException {
        if (key instanceof ECKey ec) {
            return new ECDSASigner(ec);
        }
        if (key instanceof OctetKeyPair okp) {
            return new Ed25519Signer(okp);
        }
        return new RSASSASigner((RSAKey) key);
    }

    /** Verify one RS256 subject token, sign one access token. */
    @Benchmark
    public boolean exchange() throws JOSEException {
        boolean valid =
                verifier.verify(subjectToken.getHeader(), subjectToken.getSigningInput(), subjectToken.getSignature());
        Base64URL signature = signer.sign(header, signingInput);
        return valid && signature != null;
    }
}
