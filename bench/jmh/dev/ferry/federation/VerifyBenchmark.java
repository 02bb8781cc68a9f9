package dev.ferry.federation;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import dev.ferry.bench.GithubTokens;
import dev.ferry.bench.Settings;
import dev.ferry.config.FerryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;

/**
 * Subject-token verification, RS256 in: Ferry's {@link SubjectTokenVerifier#verify} on GitHub-shaped
 * tokens, with the verifier, issuer registry and key source built as Spring builds them, minus Spring
 * and the database: the one issuer definition comes from memory instead of {@code IssuerService}'s
 * table, its JWKS inline (no network). Beside it, the bare RS256 signature check on the same tokens,
 * so the cost of Ferry's own checks (parsing, issuer, header, key selection, times, audience, claim
 * mappings) is the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifyBenchmark {

    private static final int TOKENS = 256;

    private SubjectTokenVerifier verifier;
    private String[] tokens;
    private JWSObject[] parsed;
    private RSASSAVerifier rsa;

    @Setup
    public void setUp() throws JOSEException, ParseException {
        RSAKey key = GithubTokens.newIssuerKey();
        FerryProperties properties = Settings.ferry();
        IssuerDefinition definition = new IssuerValidator(properties)
                .normalize(new IssuerDefinition(
                        GithubTokens.ISSUER_NAME,
                        IssuerType.GITHUB,
                        GithubTokens.ISSUER_URL,
                        null,
                        JsonMapper.builder().build().readTree(GithubTokens.jwks(key)),
                        List.of(GithubTokens.AUDIENCE),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
        IssuerService stored = new IssuerService(null, null, null, null) {
            @Override
            List<IssuerDefinition> definitions() {
                return List.of(definition);
            }
        };
        IssuerRegistry registry =
                new IssuerRegistry(stored, new KeySources(properties, new SimpleMeterRegistry()), null, properties);
        registry.reload(null);
        verifier = new SubjectTokenVerifier(registry, new ReplayGuard(null, null, properties), properties);

        Instant now = Instant.now();
        tokens = new String[TOKENS];
        parsed = new JWSObject[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = GithubTokens.token(key, i % 1000, now);
            parsed[i] = JWSObject.parse(tokens[i]);
        }
        rsa = new RSASSAVerifier(key.toPublicJWK());
        try {
            verifier.verify(tokens[0], now);
        } catch (SubjectTokenRejected e) {
            throw new IllegalStateException("the benchmark token is refused: " + e.detail(), e);
        }
    }

    /** One index per benchmark thread, so threads do not share a counter. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int next() {
            next = (next + 1) % TOKENS;
            return next;
        }
    }

    @Benchmark
    public VerifiedSubjectToken subjectToken(Cursor cursor) throws SubjectTokenRejected {
        return verifier.verify(tokens[cursor.next()], Instant.now());
    }

    @Benchmark
    public boolean signatureOnly(Cursor cursor) throws JOSEException {
        JWSObject jws = parsed[cursor.next()];
        return rsa.verify(jws.getHeader(), jws.getSigningInput(), jws.getSignature());
    }
}
