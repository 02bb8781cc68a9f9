package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Self-test of {@link TestIssuer} and {@link TestTokens}, over real HTTP and real signatures. */
class TestIssuerTest {

    @RegisterExtension
    static final TestIssuer issuer = new TestIssuer();

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void reset() {
        issuer.reset();
    }

    @Test
    void servesDiscovery() throws Exception {
        HttpResponse<String> response = get(issuer.discoveryUri());

        assertEquals(200, response.statusCode());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> doc = JSONObjectUtils.parse(response.body());
        assertEquals(issuer.url(), doc.get("issuer"));
        assertEquals(issuer.jwksUri(), doc.get("jwks_uri"));
        assertEquals(List.of("RS256"), doc.get("id_token_signing_alg_values_supported"));
    }

    @Test
    void servesPublicJwks() throws Exception {
        JWKSet set = fetchJwks();

        assertEquals(1, set.size());
        JWK key = set.getKeys().get(0);
        assertEquals(issuer.currentKey().getKeyID(), key.getKeyID());
        assertFalse(key.isPrivate());
        assertEquals("sig", key.getKeyUse().getValue());
        assertEquals("RS256", key.getAlgorithm().getName());
    }

    @Test
    void githubTokenVerifiesAgainstPublishedKey() throws Exception {
        SignedJWT jwt = SignedJWT.parse(issuer.github().sign());
        RSAKey published = fetchJwks().getKeys().get(0).toRSAKey();

        assertTrue(jwt.verify(new RSASSAVerifier(published)));
        assertEquals(published.getKeyID(), jwt.getHeader().getKeyID());
        assertEquals("JWT", jwt.getHeader().getType().getType());
        assertEquals(issuer.url(), jwt.getJWTClaimsSet().getIssuer());
        assertEquals(List.of("ferry"), jwt.getJWTClaimsSet().getAudience());
        assertEquals("repo:acme/app:ref:refs/heads/main", jwt.getJWTClaimsSet().getSubject());
        assertEquals("123456", jwt.getJWTClaimsSet().getClaim("repository_id"));
        assertNull(jwt.getJWTClaimsSet().getClaim("environment"));
    }

    @Test
    void gitlabTokenHasGitlabShape() throws Exception {
        SignedJWT jwt =
                SignedJWT.parse(issuer.gitlab().claim("environment", "prod").sign());

        assertTrue(jwt.verify(new RSASSAVerifier(issuer.currentKey().toPublicJWK())));
        assertEquals(
                "project_path:acme/app:ref_type:branch:ref:main",
                jwt.getJWTClaimsSet().getSubject());
        assertEquals("72", jwt.getJWTClaimsSet().getClaim("namespace_id"));
        assertEquals("prod", jwt.getJWTClaimsSet().getClaim("environment"));
    }

    @Test
    void rotateKeyPublishesOnlyTheNewKey() throws Exception {
        String before = fetchJwks().getKeys().get(0).getKeyID();

        issuer.rotateKey();
        JWKSet after = fetchJwks();

        assertEquals(1, after.size());
        assertFalse(before.equals(after.getKeys().get(0).getKeyID()));
        assertEquals(issuer.currentKey().getKeyID(), after.getKeys().get(0).getKeyID());

        issuer.rotateKeyKeepingOld();
        assertEquals(2, fetchJwks().size());
    }

    @Test
    void goDownAnswers503UntilComeUp() throws Exception {
        issuer.goDown();
        assertEquals(503, get(issuer.jwksUri()).statusCode());
        assertEquals(503, get(issuer.discoveryUri()).statusCode());

        issuer.comeUp();
        assertEquals(200, get(issuer.jwksUri()).statusCode());
    }

    @Test
    void countersCountAndReset() throws Exception {
        get(issuer.jwksUri());
        get(issuer.jwksUri());
        get(issuer.discoveryUri());

        assertEquals(2, issuer.jwksFetches());
        assertEquals(1, issuer.discoveryFetches());
        issuer.resetCounters();
        assertEquals(0, issuer.jwksFetches());
    }

    @Test
    void redirectsJwksAndLiesAboutIssuer() throws Exception {
        issuer.redirectJwksTo("http://127.0.0.1:9/elsewhere");
        issuer.discoveryIssuer("https://evil.example");

        HttpResponse<String> jwks = get(issuer.jwksUri());
        assertEquals(302, jwks.statusCode());
        assertEquals(
                "http://127.0.0.1:9/elsewhere",
                jwks.headers().firstValue("Location").orElse(""));
        assertEquals(
                "https://evil.example",
                JSONObjectUtils.parse(get(issuer.discoveryUri()).body()).get("issuer"));
    }

    @Test
    void attackHelpersProduceRealTokens() throws Exception {
        TestTokens tokens = issuer.github();
        byte[] publicKeyBytes = issuer.currentKey().toPublicKey().getEncoded();

        assertTrue(tokens.unsecured().startsWith("eyJhbGciOiJub25lIn0."));
        assertTrue(tokens.unsecured().endsWith("."));
        assertTrue(JWSObject.parse(tokens.hs256WithSecret(publicKeyBytes)).verify(new MACVerifier(publicKeyBytes)));
        JWSObject raw = JWSObject.parse(tokens.signWithRawPayload("{\"exp\":\"soon\",\"exp\":1}"));
        assertEquals("{\"exp\":\"soon\",\"exp\":1}", raw.getPayload().toString());
        assertTrue(raw.verify(new RSASSAVerifier(issuer.currentKey().toPublicJWK())));
    }

    @Test
    void pathPrefixMovesIssuerButNotJwks() throws Exception {
        try (TestIssuer acme = new TestIssuer("/acme").start()) {
            assertTrue(acme.url().endsWith("/acme"));
            assertTrue(acme.jwksUri().endsWith(":" + URI.create(acme.url()).getPort() + "/.well-known/jwks"));
            Map<String, Object> doc =
                    JSONObjectUtils.parse(get(acme.discoveryUri()).body());
            assertEquals(acme.url(), doc.get("issuer"));
            assertEquals(200, get(acme.jwksUri()).statusCode());
            assertEquals(
                    404,
                    get(acme.jwksUri().replace("/.well-known", "/acme/.well-known"))
                            .statusCode());
        }
    }

    private static JWKSet fetchJwks() throws Exception {
        HttpResponse<String> response = get(issuer.jwksUri());
        assertEquals(200, response.statusCode());
        return JWKSet.parse(response.body());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
