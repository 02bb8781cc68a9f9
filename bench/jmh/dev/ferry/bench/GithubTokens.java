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
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Subject tokens shaped like GitHub Actions ID tokens (the same claims, in the same order, of about
 * the same size: roughly 1.1 KB compact), signed RS256 with a 2048-bit key, as GitHub signs them.
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

    private static final String SHA = "8d1f0a5c3e7b9f2a4c6e8b0d1f3a5c7e9b2d4f60";

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
        String repository = "owner-" + owner + "/app";
        String workflowRef = repository + "/.github/workflows/deploy.yml@refs/heads/main";
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("sub", "repo:" + repository + ":ref:refs/heads/main");
        claims.put("aud", AUDIENCE);
        claims.put("ref", "refs/heads/main");
        claims.put("sha", SHA);
        claims.put("repository", repository);
        claims.put("repository_owner", "owner-" + owner);
        claims.put("actor_id", "1");
        claims.put("repository_visibility", "private");
        claims.put("repository_id", String.valueOf(900_000 + owner));
        claims.put("repository_owner_id", ownerId(owner));
        claims.put("run_id", String.valueOf(now.toEpochMilli()));
        claims.put("run_number", "7");
        claims.put("run_attempt", "1");
        claims.put("runner_environment", "github-hosted");
        claims.put("actor", "octocat");
        claims.put("workflow", "deploy");
        claims.put("head_ref", "");
        claims.put("base_ref", "");
        claims.put("event_name", "push");
        claims.put("ref_protected", "true");
        claims.put("ref_type", "branch");
        claims.put("workflow_ref", workflowRef);
        claims.put("workflow_sha", SHA);
        claims.put("job_workflow_ref", workflowRef);
        claims.put("job_workflow_sha", SHA);
        claims.put("iss", ISSUER_URL);
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        return claims;
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
        return sign(key, claims(owner, now, Duration.ofHours(1)));
    }
}
