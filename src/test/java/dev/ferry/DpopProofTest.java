package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.dpop.DPoPProofFactory;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import com.nimbusds.oauth2.sdk.dpop.JWKThumbprintConfirmation;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import dev.ferry.testing.TestDpop;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * DPoP proofs at {@code POST /token} (RFC 9449 §4.3, §5): one test per check, each proving the error,
 * that no token was minted and that the refusal was audited; the binding of a token to the proof's key
 * ({@code cnf.jkt}, {@code token_type: DPoP}), with proofs built by hand and by an independent client
 * (Nimbus's {@link DefaultDPoPProofFactory}); introspection of bound tokens (§6.2) and the metadata
 * (§5.1), read by Nimbus too. Runs on H2 and on PostgreSQL: the proof replay store too.
 */
class DpopProofTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    /** An issuer with replay protection: each subject token once, its jti used up with the proof's. */
    @RegisterExtension
    static final TestIssuer onceCi = new TestIssuer();

    private static final String TARGET = "https://dpop.example.com";
    private static boolean configured;
    private static String issuerName;
    private static String onceIssuerName;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        issuerName = unique("dpop");
        trust(issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        onceIssuerName = unique("dpop-once");
        Map<String, Object> once = issuerFor(onceIssuerName, onceCi.url(), TestIssuer.DEFAULT_AUDIENCE);
        once.put("replayProtection", true);
        trust(once);
        configured = true;
    }

    /** The issuer, and a rule letting its tokens of owner 4242 have {@code deploy} at {@link #TARGET}. */
    private void trust(Map<String, Object> issuer) {
        create("issuers", issuer);
        create(
                "rules",
                rule(
                        unique(issuer.get("name") + "-allow"),
                        (String) issuer.get("name"),
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
    }

    private String tokenEndpoint() {
        return baseUrl() + "/token";
    }

    /** {@code POST /token} for {@link #TARGET} with one {@code DPoP} header per proof. */
    private Response exchangeWithProofs(String... proofs) {
        return exchangeOf(ci.github().sign(), proofs);
    }

    /** As {@link #exchangeWithProofs}, for this subject token. */
    private Response exchangeOf(String subjectToken, String... proofs) {
        String body = "grant_type=" + encode(GRANT_TYPE) + "&subject_token="
                + encode(subjectToken) + "&subject_token_type=" + encode(ID_TOKEN_TYPE) + "&audience="
                + encode(TARGET);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(20));
        for (String proof : proofs) {
            request.header("DPoP", proof);
        }
        return send(request.build());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- binding ----

    @Test
    void exchangeWithValidProofThenTokenIsBoundToTheProofKey() throws Exception {
        TestDpop key = TestDpop.es256();

        Response response =
                exchangeWithProofs(key.proof("POST", tokenEndpoint()).sign());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("token_type").stringValue()).isEqualTo("DPoP");
        SignedJWT token = SignedJWT.parse(response.json().get("access_token").stringValue());
        assertThat(token.getJWTClaimsSet().getJSONObjectClaim("cnf")).isEqualTo(Map.of("jkt", key.thumbprint()));
        Map<String, Object> event = auditEvent(response.header("Ferry-Exchange-Id"));
        assertThat(event.get("outcome")).isEqualTo("issued");
        assertThat(event.get("dpop_jkt")).isEqualTo(key.thumbprint());
        JsonNode shown = admin("GET", "/admin/v1/audit/" + response.header("Ferry-Exchange-Id"), null)
                .json();
        assertThat(shown.get("dpopJkt").stringValue()).isEqualTo(key.thumbprint());
    }

    @Test
    void exchangeWithoutProofThenBearerTokenWithoutCnf() throws Exception {
        Response response = exchange(ci.github().sign(), TARGET);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("token_type").stringValue()).isEqualTo("Bearer");
        SignedJWT token = SignedJWT.parse(response.json().get("access_token").stringValue());
        assertThat(token.getJWTClaimsSet().getClaim("cnf")).isNull();
        assertThat(auditEvent(response.header("Ferry-Exchange-Id")).get("dpop_jkt"))
                .isNull();
        assertThat(response.header("DPoP-Nonce"))
                .as("nonces are off by default")
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherKeys")
    void exchangeWithProofOfEveryAcceptedAlgorithmThenBound(String name, TestDpop key) throws Exception {
        Response response =
                exchangeWithProofs(key.proof("POST", tokenEndpoint()).sign());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(SignedJWT.parse(response.json().get("access_token").stringValue())
                        .getJWTClaimsSet()
                        .getJSONObjectClaim("cnf"))
                .isEqualTo(Map.of("jkt", key.thumbprint()));
    }

    static Stream<Arguments> otherKeys() {
        return Stream.of(Arguments.of("PS256", TestDpop.ps256()), Arguments.of("EdDSA", TestDpop.ed25519()));
    }

    @Test
    void htuIsComparedWithoutQueryFragmentCaseAndDefaultDots() {
        TestDpop key = TestDpop.es256();
        String uri = tokenEndpoint().replace("http://", "HTTP://").replace("/token", "/x/../token") + "?a=b#c";

        Response response = exchangeWithProofs(key.proof("POST", uri).sign());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("token_type").stringValue()).isEqualTo("DPoP");
    }

    @Test
    void nimbusClientWithItsOwnProofFactoryGetsADpopAccessToken() throws Exception {
        TestDpop key = TestDpop.es256();
        DPoPProofFactory factory = new DefaultDPoPProofFactory(key.key(), JWSAlgorithm.ES256);
        TokenExchangeGrant grant = new TokenExchangeGrant(
                new TypelessToken(ci.github().sign()),
                TokenTypeURI.ID_TOKEN,
                null,
                null,
                null,
                List.of(new Audience(TARGET)));
        URI endpoint = URI.create(tokenEndpoint());
        HTTPRequest request = new TokenRequest.Builder(endpoint, grant).build().toHTTPRequest();
        request.setDPoP(factory.createDPoPJWT("POST", endpoint));

        TokenResponse response = TokenResponse.parse(request.send());

        assertThat(response.indicatesSuccess())
                .as(() -> response.toErrorResponse().getErrorObject().toString())
                .isTrue();
        AccessTokenResponse success = response.toSuccessResponse();
        AccessToken token = success.getTokens().getAccessToken();
        assertThat(token).isInstanceOf(DPoPAccessToken.class);
        assertThat(SignedJWT.parse(token.getValue()).getJWTClaimsSet().getJSONObjectClaim("cnf"))
                .isEqualTo(Map.of("jkt", key.thumbprint()));
    }

    // ---- introspection and metadata ----

    @Test
    void introspectionOfABoundTokenAnswersDpopAndItsCnf() throws Exception {
        TestDpop key = TestDpop.es256();
        String bound = exchangeWithProofs(key.proof("POST", tokenEndpoint()).sign())
                .json()
                .get("access_token")
                .stringValue();
        String bearer =
                exchange(ci.github().sign(), TARGET).json().get("access_token").stringValue();
        JsonNode client = create("clients", Map.of("id", unique("dpop-gw")));
        ClientSecretBasic credentials = new ClientSecretBasic(
                new ClientID(client.get("id").stringValue()),
                new Secret(client.get("secret").stringValue()));

        TokenIntrospectionSuccessResponse boundAnswer = introspect(credentials, bound);
        TokenIntrospectionSuccessResponse bearerAnswer = introspect(credentials, bearer);

        assertThat(boundAnswer.isActive()).isTrue();
        assertThat(boundAnswer.getTokenType()).isEqualTo(AccessTokenType.DPOP);
        assertThat(boundAnswer.getJWKThumbprintConfirmation())
                .isEqualTo(new JWKThumbprintConfirmation(new Base64URL(key.thumbprint())));
        assertThat(bearerAnswer.isActive()).isTrue();
        assertThat(bearerAnswer.getTokenType()).isEqualTo(AccessTokenType.BEARER);
        assertThat(bearerAnswer.getJWKThumbprintConfirmation()).isNull();
    }

    private TokenIntrospectionSuccessResponse introspect(ClientSecretBasic credentials, String token) throws Exception {
        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
                        URI.create(baseUrl() + "/introspect"), credentials, new TypelessAccessToken(token))
                .toHTTPRequest()
                .send());
        assertThat(response.indicatesSuccess()).isTrue();
        return response.toSuccessResponse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"})
    void metadataAdvertisesTheAlgorithmsProofsMayUse(String path) {
        JsonNode metadata = get(path).json();

        assertThat(metadata.get("dpop_signing_alg_values_supported")
                        .valueStream()
                        .map(JsonNode::stringValue))
                .containsExactly("ES256", "RS256", "PS256", "EdDSA");
        assertThat(metadata.get("token_endpoint").stringValue()).isEqualTo(tokenEndpoint());
    }

    // ---- every check of RFC 9449 §4.3 ----

    /** One refusal: how to break the proof, the error, a part of the description and of the audited detail. */
    record Broken(
            String name, Function<DpopProofTest, String[]> proofs, String error, String description, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Broken> brokenProofs() {
        return Stream.of(
                new Broken(
                        "two DPoP headers",
                        t -> new String[] {t.valid().sign(), t.valid().sign()},
                        "invalid_dpop_proof",
                        "exactly one DPoP header",
                        "HEADER_COUNT"),
                new Broken(
                        "two proofs in one header",
                        t -> new String[] {t.valid().sign() + ", " + t.valid().sign()},
                        "invalid_dpop_proof",
                        "exactly one DPoP header",
                        "HEADER_COUNT"),
                new Broken(
                        "not a JWT",
                        t -> new String[] {"not-a-jwt"},
                        "invalid_dpop_proof",
                        "three dot-separated",
                        "MALFORMED"),
                new Broken(
                        "missing typ",
                        t -> new String[] {t.valid().header("typ", null).sign()},
                        "invalid_dpop_proof",
                        "typ header must be dpop+jwt",
                        "WRONG_TYPE"),
                new Broken(
                        "wrong typ",
                        t -> new String[] {t.valid().header("typ", "JWT").sign()},
                        "invalid_dpop_proof",
                        "typ header must be dpop+jwt",
                        "WRONG_TYPE"),
                new Broken(
                        "alg none",
                        t -> new String[] {t.valid().header("alg", "none").sign()},
                        "invalid_dpop_proof",
                        "never none or a MAC",
                        "ALGORITHM_NOT_ALLOWED"),
                new Broken(
                        "symmetric alg HS256",
                        t -> new String[] {
                            t.valid()
                                    .macWith("a shared secret of at least 256 bits, 0123456789")
                                    .sign()
                        },
                        "invalid_dpop_proof",
                        "never none or a MAC",
                        "ALGORITHM_NOT_ALLOWED"),
                new Broken(
                        "critical header",
                        t -> new String[] {
                            t.valid().header("crit", List.of("exp")).sign()
                        },
                        "invalid_dpop_proof",
                        "critical header parameters",
                        "CRITICAL_HEADER"),
                new Broken(
                        "no jwk",
                        t -> new String[] {t.valid().header("jwk", null).sign()},
                        "invalid_dpop_proof",
                        "needs a jwk",
                        "UNSUITABLE_KEY"),
                new Broken(
                        "jwk with the private key",
                        t -> new String[] {t.valid().withPrivateJwk().sign()},
                        "invalid_dpop_proof",
                        "private or symmetric key",
                        "UNSUITABLE_KEY"),
                new Broken(
                        "jwk of another type than alg",
                        t -> new String[] {t.valid().header("alg", "RS256").sign()},
                        "invalid_dpop_proof",
                        "does not fit alg RS256",
                        "UNSUITABLE_KEY"),
                new Broken(
                        "signed by another key",
                        t -> new String[] {t.valid().signedBy(TestDpop.es256()).sign()},
                        "invalid_dpop_proof",
                        "signature does not verify",
                        "BAD_SIGNATURE"),
                new Broken(
                        "wrong htm",
                        t -> new String[] {t.valid().claim("htm", "GET").sign()},
                        "invalid_dpop_proof",
                        "htm must be POST",
                        "'GET'"),
                new Broken(
                        "no htm",
                        t -> new String[] {t.valid().claim("htm", null).sign()},
                        "invalid_dpop_proof",
                        "htm must be POST",
                        "WRONG_METHOD"),
                new Broken(
                        "wrong htu",
                        t -> new String[] {
                            t.valid()
                                    .claim("htu", "https://elsewhere.example.com/token")
                                    .sign()
                        },
                        "invalid_dpop_proof",
                        "htu must be this token endpoint",
                        "elsewhere.example.com"),
                new Broken(
                        "htu of another path",
                        t -> new String[] {
                            t.valid()
                                    .claim("htu", t.tokenEndpoint().replace("/token", "/introspect"))
                                    .sign()
                        },
                        "invalid_dpop_proof",
                        "htu must be this token endpoint",
                        "WRONG_URI"),
                new Broken(
                        "iat too old",
                        t -> new String[] {
                            t.valid().iat(Instant.now().minusSeconds(120)).sign()
                        },
                        "invalid_dpop_proof",
                        "more than 60 seconds ago",
                        "TOO_OLD"),
                new Broken(
                        "iat too far ahead",
                        t -> new String[] {
                            t.valid().iat(Instant.now().plusSeconds(60)).sign()
                        },
                        "invalid_dpop_proof",
                        "iat is in the future",
                        "ISSUED_IN_FUTURE"),
                new Broken(
                        "no iat",
                        t -> new String[] {t.valid().claim("iat", null).sign()},
                        "invalid_dpop_proof",
                        "needs an iat claim",
                        "MISSING_CLAIM"),
                new Broken(
                        "iat not a number",
                        t -> new String[] {t.valid().claim("iat", "yesterday").sign()},
                        "invalid_dpop_proof",
                        "iat a number of seconds",
                        "MALFORMED"),
                new Broken(
                        "no jti",
                        t -> new String[] {t.valid().claim("jti", null).sign()},
                        "invalid_dpop_proof",
                        "needs a jti claim",
                        "MISSING_CLAIM"));
    }

    private final TestDpop key = TestDpop.es256();

    private TestDpop.Proof valid() {
        return key.proof("POST", tokenEndpoint());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenProofs")
    void exchangeWithBrokenProofThenRefusedUnboundAndAudited(Broken broken) {
        assertRefused(
                exchangeWithProofs(broken.proofs().apply(this)), broken.error(), broken.description(), broken.detail());
    }

    @Test
    void exchangeWithReplayedProofThenRefused() {
        String proof = valid().sign();
        assertThat(exchangeWithProofs(proof).status()).isEqualTo(200);

        assertRefused(exchangeWithProofs(proof), "invalid_dpop_proof", "the DPoP proof was used before", "REPLAYED");
    }

    @Test
    void withReplayProtectionASubjectTokenUsedBeforeIsRefusedAndItsProofIsSpentToo() {
        String subjectToken = onceCi.github().sign();
        assertThat(exchangeOf(subjectToken, valid().sign()).status()).isEqualTo(200);
        String second = valid().sign();

        Response replayedSubject = exchangeOf(subjectToken, second);

        assertThat(replayedSubject.status()).as(replayedSubject.body()).isEqualTo(400);
        assertThat(replayedSubject.json().get("error_description").stringValue())
                .contains("already exchanged");
        assertRefused(
                exchangeOf(onceCi.github().sign(), second),
                onceIssuerName,
                "invalid_dpop_proof",
                "the DPoP proof was used before",
                "REPLAYED");
    }

    @Test
    void withReplayProtectionAReplayedProofLeavesTheSubjectTokenUnspent() {
        String proof = valid().sign();
        assertThat(exchangeOf(onceCi.github().sign(), proof).status()).isEqualTo(200);
        String subjectToken = onceCi.github().sign();

        assertRefused(
                exchangeOf(subjectToken, proof),
                onceIssuerName,
                "invalid_dpop_proof",
                "the DPoP proof was used before",
                "REPLAYED");

        Response retried = exchangeOf(subjectToken, valid().sign());
        assertThat(retried.status())
                .as("the CI job's one-time token is not burnt by a bad proof: " + retried.body())
                .isEqualTo(200);
        assertThat(retried.json().get("token_type").stringValue()).isEqualTo("DPoP");
    }

    @Test
    void sameJtiWithAnotherKeyIsAnotherProof() {
        TestDpop.Proof first = valid();
        String jti = "shared-" + unique("jti");
        assertThat(exchangeWithProofs(first.claim("jti", jti).sign()).status()).isEqualTo(200);

        Response other = exchangeWithProofs(TestDpop.es256()
                .proof("POST", tokenEndpoint())
                .claim("jti", jti)
                .sign());

        assertThat(other.status()).as(other.body()).isEqualTo(200);
    }

    @Test
    void proofOfARefusedExchangeStillCountsAsUsed() {
        String proof = valid().sign();
        Response wrongTarget = send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("DPoP", proof)
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + encode(GRANT_TYPE) + "&subject_token="
                        + encode(ci.github().sign()) + "&subject_token_type=" + encode(ID_TOKEN_TYPE)
                        + "&audience=" + encode("https://not-granted.example.com")))
                .build());
        assertThat(wrongTarget.status()).isEqualTo(400);
        assertThat(auditEvent(wrongTarget.json().get("exchange_id").stringValue())
                        .get("dpop_jkt"))
                .as("the audit log keeps the key of the valid proof of a refused exchange")
                .isEqualTo(key.thumbprint());

        assertRefused(exchangeWithProofs(proof), "invalid_dpop_proof", "used before", "REPLAYED");
    }

    /** 400 with the error, no token in the answer or minted, and a refused audit event with that error and detail. */
    private void assertRefused(Response response, String error, String descriptionPart, String detailPart) {
        assertRefused(response, issuerName, error, descriptionPart, detailPart);
    }

    private void assertRefused(
            Response response, String issuer, String error, String descriptionPart, String detailPart) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = response.json();
        assertThat(body.get("error").stringValue()).isEqualTo(error);
        assertThat(body.get("error_description").stringValue())
                .contains(descriptionPart)
                .as("RFC 6749 §5.2 error_description characters")
                .matches("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*");
        assertThat(body.has("access_token")).isFalse();
        Map<String, Object> event = auditEvent(body.get("exchange_id").stringValue());
        assertThat(event.get("outcome")).isEqualTo("refused");
        assertThat(event.get("error")).isEqualTo(error);
        assertThat(event.get("token_id")).isNull();
        assertThat(event.get("issuer"))
                .as("the subject token was verified first")
                .isEqualTo(issuer);
        assertThat((String) event.get("detail")).contains(detailPart);
    }
}
