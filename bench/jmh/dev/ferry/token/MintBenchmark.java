package dev.ferry.token;

import com.nimbusds.jose.jwk.JWK;
import dev.ferry.bench.GithubTokens;
import dev.ferry.bench.Settings;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.SigningAlgorithm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Minting with each algorithm: Ferry's own {@link TokenMinter#mint} (claims, {@code at+jwt} header,
 * Nimbus signing, serialization) for a GitHub-shaped exchange carrying the GitHub issuer type's 13
 * mapped claims. Only the key ring comes from memory rather than the database ({@link FixedKeyRing}):
 * a fresh key from {@link SigningKeys#generate} with the header and signer Ferry builds for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MintBenchmark {

    @Param({"ES256", "RS256", "PS256", "EdDSA"})
    public SigningAlgorithm alg;

    private TokenMinter minter;
    private MintRequest request;

    @Setup
    public void setUp() {
        FerryProperties properties = Settings.ferry(Map.of("ferry.issuer", "https://ferry.bench.example"));
        JWK key = SigningKeys.generate(alg);
        SigningKeys keys = FixedKeyRing.of(key, SigningKeys.signer(key), properties);
        minter = new TokenMinter(keys, properties, Clock.systemUTC());
        request = request();
    }

    /** What an exchange of a GitHub push token mints: the GitHub issuer type's carried claims. */
    static MintRequest request() {
        Map<String, Object> claims = GithubTokens.claims(7, Instant.now(), Duration.ofMinutes(5));
        Map<String, Object> carried = new LinkedHashMap<>();
        for (String name : List.of(
                "repository",
                "repository_id",
                "repository_owner",
                "repository_owner_id",
                "ref",
                "ref_type",
                "event_name",
                "workflow_ref",
                "job_workflow_ref",
                "sha",
                "run_id",
                "actor")) {
            carried.put(name, claims.get(name));
        }
        return new MintRequest(
                GithubTokens.ISSUER_NAME,
                GithubTokens.ISSUER_URL,
                (String) claims.get("sub"),
                (String) claims.get("jti"),
                GithubTokens.TARGET,
                List.of("deploy"),
                Duration.ofMinutes(10),
                carried);
    }

    @Benchmark
    public IssuedToken mint() {
        return minter.mint(request);
    }
}
