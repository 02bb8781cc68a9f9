package dev.ferry.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.ferry.testing.CiClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Subject tokens shaped like GitHub Actions ID tokens (the same claims, in the same order, of about
 * the same size: roughly 1.1 KB compact; the claim set is the tests' {@link CiClaims}), signed RS256
 * with a 2048-bit key, as GitHub signs them.
 * Shared by the JMH benchmarks and the load test's fixtures.
 */
public final class GithubTokens {

    /** The {@code iss} of the benchmark issuer; never fetched (its keys are given inline). */
    public static final String ISSUER_URL = "https://ci.bench.example";
    /** The {@code aud} of subject tokens: Ferry's URL, as jobs request it. */
    public static final String AUDIENCE = "https://ferry.bench.example";
    /** The target every rule grants, requested as {@code audience} on {@code POST /token}. */
    public static final String TARGET = "https://deploy.bench.example";
    /** The issuer's name in Ferry. */
    public static final String ISSUER_NAME = "bench";
    /** Owner ids are {@code OWNER_BASE + n}, n from 0 to 999. */
    public static final int OWNER_BASE = 100_000;

    private GithubTokens() {}

    /** A fresh RS256 issuer key, 2048 bits, with a thumbprint {@code kid}. */
    public static RSAKey newIssuerKey() {
        try {
            return new RSAKeyGenerator(2048)
                    .algorithm(JWSAlgorithm.RS256)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyIDFromThumbprint(true)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public JWK set of {@code key}, as JSON. */
    public static String jwks(RSAKey key) {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    /** The owner id of owner number {@code n} (0 to 999). */
    public static String ownerId(int n) {
        return String.valueOf(OWNER_BASE + n);
    }

    /** The claims of a push to {@code main} by the repository {@code owner-<n>/app}, issued at {@code now}. */
    public static Map<String, Object> claims(int owner, Instant now, Duration lifetime) {
        return claims(owner, 0, now, lifetime);
    }

    /**
     * The claims of a push to {@code main} by repository number {@code repo} of owner {@code owner}
     * ({@code owner-<n>/app}, then {@code owner-<n>/app-1}, ...), with its {@link #repositoryId}.
     */
    public static Map<String, Object> claims(int owner, int repo, Instant now, Duration lifetime) {
        Map<String, Object> claims = CiClaims.github(
                ISSUER_URL, AUDIENCE, "owner-" + owner, ownerId(owner), repositoryId(owner, repo), now, lifetime);
        if (repo > 0) {
            String repository = "owner-" + owner + "/app-" + repo;
            claims.put("repository", repository);
            claims.put("sub", "repo:" + repository + ":ref:refs/heads/main");
        }
        return claims;
    }

    /** The {@code repository_id} of repository number {@code repo} of owner {@code owner} (owners below 100,000). */
    public static String repositoryId(int owner, int repo) {
        return String.valueOf(repo == 0 ? 900_000 + owner : 100_000_000L + repo * 100_000L + owner);
    }

    /** A compact RS256 JWS of {@code claims}, header {@code {"alg":"RS256","typ":"JWT","kid":...}}. */
    public static String sign(RSAKey key, Map<String, Object> claims) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT)
                .keyID(key.getKeyID())
                .build();
        JWSObject jws = new JWSObject(header, new Payload(JSONObjectUtils.toJSONString(claims)));
        try {
            jws.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jws.serialize();
    }

    /** A signed token of owner {@code owner}, valid for an hour from {@code now}. */
    public static String token(RSAKey key, int owner, Instant now) {
        return token(key, owner, 0, now);
    }

    /** A signed token of repository {@code repo} of owner {@code owner}, valid for an hour from {@code now}. */
    public static String token(RSAKey key, int owner, int repo, Instant now) {
        return sign(key, claims(owner, repo, now, Duration.ofHours(1)));
    }
}
