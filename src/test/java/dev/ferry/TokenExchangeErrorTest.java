package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.testing.TestIssuer;
import dev.ferry.testing.TestTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * One test per way an exchange is refused (RFC 8693 §2.2.2, RFC 6749 §5.2; docs/architecture.md). Each proves three things: the error code
 * (and status), that no token was minted, and that a refused audit event was stored.
 */
class TokenExchangeErrorTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer github = new TestIssuer();

    @RegisterExtension
    static final TestIssuer attacker = new TestIssuer();

    /** Accepts tokens issued at most 300 s ago. */
    @RegisterExtension
    static final TestIssuer aged = new TestIssuer();

    /** Configured, but disabled. */
    @RegisterExtension
    static final TestIssuer disabled = new TestIssuer();

    private static final String TARGET = "https://errors.example.com";
    private static final String OTHER_TARGET = "https://other.example.com";
    private static boolean configured;
    private static String issuerName;

    @BeforeEach
    void configure() {
        github.reset();
        if (configured) {
            return;
        }
        issuerName = unique("gh-errors");
        create("issuers", issuerFor(issuerName, github.url(), TestIssuer.DEFAULT_AUDIENCE));
        create(
                "rules",
                rule(
                        unique("allow-acme"),
                        issuerName,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        create(
                "rules",
                rule(
                        unique("allow-acme-other"),
                        issuerName,
                        "allow",
                        List.of(
                                condition("repository_owner_id", "equals", "4242"),
                                condition("ref", "equals", "refs/heads/release")),
                        List.of(OTHER_TARGET),
                        List.of("deploy")));
        create(
                "rules",
                rule(
                        unique("deny-evil"),
                        issuerName,
                        "deny",
                        List.of(condition("ref", "glob", "refs/heads/evil*")),
                        List.of(),
                        List.of()));

        Map<String, Object> agedIssuer = issuerFor(unique("gh-aged"), aged.url(), TestIssuer.DEFAULT_AUDIENCE);
        agedIssuer.put("maxTokenAgeSeconds", 300);
        create("issuers", agedIssuer);
        create(
                "rules",
                rule(
                        unique("allow-aged"),
                        (String) agedIssuer.get("name"),
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        Map<String, Object> disabledIssuer =
                issuerFor(unique("gh-disabled"), disabled.url(), TestIssuer.DEFAULT_AUDIENCE);
        disabledIssuer.put("enabled", false);
        create("issuers", disabledIssuer);
        create(
                "rules",
                rule(
                        unique("allow-disabled"),
                        (String) disabledIssuer.get("name"),
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        configured = true;
    }

    private TestTokens token() {
        return github.github();
    }

    // ---- the subject token ----

    @Test
    void exchangeWhenTokenExpiredThenInvalidRequest() {
        Instant past = Instant.now().minusSeconds(600);
        assertRefused(
                () -> exchange(
                        token().issuedAt(past.minusSeconds(60))
                                .notBefore(past.minusSeconds(60))
                                .expiresAt(past)
                                .sign(),
                        TARGET),
                "invalid_request",
                "expired at");
    }

    @Test
    void exchangeWithinTheIssuersClockSkewIsAcceptedAndBeyondItRefused() {
        // The issuer's default skew is 60 s, on exp and on nbf alike.
        Instant now = Instant.now();
        Response lateButWithinSkew = exchange(
                token().issuedAt(now.minusSeconds(300))
                        .notBefore(now.minusSeconds(300))
                        .expiresAt(now.minusSeconds(30))
                        .sign(),
                TARGET);
        assertThat(lateButWithinSkew.status()).as(lateButWithinSkew.body()).isEqualTo(200);
        Response earlyButWithinSkew =
                exchange(token().notBefore(now.plusSeconds(30)).sign(), TARGET);
        assertThat(earlyButWithinSkew.status()).as(earlyButWithinSkew.body()).isEqualTo(200);

        assertRefused(
                () -> exchange(
                        token().issuedAt(now.minusSeconds(300))
                                .notBefore(now.minusSeconds(300))
                                .expiresAt(now.minusSeconds(90))
                                .sign(),
                        TARGET),
                "invalid_request",
                "expired at");
        assertRefused(
                () -> exchange(token().notBefore(now.plusSeconds(90)).sign(), TARGET),
                "invalid_request",
                "not valid before");
    }

    @Test
    void exchangeWhenTokenOlderThanTheIssuersMaximumAgeThenInvalidRequest() {
        Instant now = Instant.now();
        // 300 s of maximum age plus the 60 s of clock skew: 400 s is too old, 200 s is not.
        assertRefused(
                () -> exchange(
                        aged.github()
                                .issuedAt(now.minusSeconds(400))
                                .notBefore(now.minusSeconds(400))
                                .sign(),
                        TARGET),
                "invalid_request",
                "longer ago than issuer");
        Response young = exchange(
                aged.github()
                        .issuedAt(now.minusSeconds(200))
                        .notBefore(now.minusSeconds(200))
                        .sign(),
                TARGET);
        assertThat(young.status()).as(young.body()).isEqualTo(200);
    }

    @Test
    void exchangeWhenIssuerDisabledThenInvalidRequest() {
        assertRefusedUntrusted(() -> exchange(disabled.github().sign(), TARGET), "is disabled");
    }

    @Test
    void exchangeWhenTokenNotYetValidThenInvalidRequest() {
        assertRefused(
                () -> exchange(token().notBefore(Instant.now().plusSeconds(600)).sign(), TARGET),
                "invalid_request",
                "not valid before");
    }

    @Test
    void exchangeWhenIssuedInTheFutureThenInvalidRequest() {
        assertRefused(
                () -> exchange(token().issuedAt(Instant.now().plusSeconds(600)).sign(), TARGET),
                "invalid_request",
                "issued in the future");
    }

    @Test
    void exchangeWhenIatMissingThenInvalidRequest() {
        assertRefused(() -> exchange(token().without("iat").sign(), TARGET), "invalid_request", "no iat");
    }

    @Test
    void exchangeWhenExpMissingThenInvalidRequest() {
        assertRefused(() -> exchange(token().without("exp").sign(), TARGET), "invalid_request", "no exp");
    }

    @Test
    void exchangeWhenExpIsAStringThenInvalidRequest() {
        assertRefused(
                () -> exchange(
                        token().claim(
                                        "exp",
                                        String.valueOf(
                                                Instant.now().plusSeconds(300).getEpochSecond()))
                                .sign(),
                        TARGET),
                "invalid_request",
                "exp must be a number");
    }

    @Test
    void exchangeWhenSubjectMissingThenInvalidRequest() {
        assertRefused(
                () -> exchange(token().without("sub").sign(), TARGET),
                "invalid_request",
                "sub must be a non-empty string");
    }

    @Test
    void exchangeWhenWrongAudienceThenInvalidRequest() {
        assertRefused(
                () -> exchange(
                        token().audience("https://someone-else.example.com").sign(), TARGET),
                "invalid_request",
                "audience 'https://someone-else.example.com' not accepted by issuer '" + issuerName + "'");
    }

    @Test
    void exchangeWhenIssuerUnknownThenInvalidRequest() {
        assertRefusedUntrusted(
                () -> exchange(token().issuer("https://unknown.example.com").sign(), TARGET),
                "is not trusted by this Ferry");
    }

    @Test
    void exchangeWhenSignatureBadThenInvalidRequest() {
        String kid = github.currentKey().getKeyID();
        assertRefusedUntrusted(
                () -> exchange(token().signWith(TestIssuer.newKey()).keyId(kid).sign(), TARGET),
                "signature is invalid");
    }

    @Test
    void exchangeWhenPayloadTamperedThenInvalidRequest() {
        String[] parts = token().sign().split("\\.");
        String forged = token().claim("repository_owner_id", "4242")
                .claim("ref", "refs/heads/other")
                .sign()
                .split("\\.")[1];
        assertRefusedUntrusted(
                () -> exchange(parts[0] + "." + forged + "." + parts[2], TARGET), "signature is invalid");
    }

    @Test
    void exchangeWhenAlgNoneThenInvalidRequest() {
        assertRefused(() -> exchange(token().unsecured(), TARGET), "invalid_request", "alg none");
    }

    @Test
    void exchangeWhenHs256SignedWithIssuersPublicKeyThenInvalidRequest() throws Exception {
        byte[] publicKey = github.currentKey().toRSAPublicKey().getEncoded();
        assertRefusedUntrusted(
                () -> exchange(token().hs256WithSecret(publicKey), TARGET), "algorithm 'HS256' is not accepted");
    }

    @Test
    void exchangeWhenJwkHeaderCarriesAttackersKeyThenInvalidRequest() {
        RSAKey evil = TestIssuer.newKey();
        assertRefusedUntrusted(
                () -> exchange(
                        token().signWith(evil).header("jwk", evil.toPublicJWK()).sign(), TARGET),
                "does not publish");
    }

    @Test
    void exchangeWhenJkuHeaderPointsAtAttackersKeysThenInvalidRequest() {
        assertRefusedUntrusted(
                () -> exchange(
                        token().signWith(attacker.currentKey())
                                .header("jku", URI.create(attacker.jwksUri()))
                                .sign(),
                        TARGET),
                "does not publish");
        assertThat(attacker.jwksFetches()).isZero();
    }

    @Test
    void exchangeWhenX5uHeaderPointsAtAttackersKeysThenInvalidRequest() {
        assertRefusedUntrusted(
                () -> exchange(
                        token().signWith(attacker.currentKey())
                                .header("x5u", URI.create(attacker.jwksUri()))
                                .sign(),
                        TARGET),
                "does not publish");
        assertThat(attacker.jwksFetches()).isZero();
    }

    @Test
    void exchangeWhenKidUnknownThenInvalidRequest() {
        assertRefusedUntrusted(
                () -> exchange(token().signWith(TestIssuer.newKey()).sign(), TARGET), "does not publish");
    }

    @Test
    void exchangeWhenCriticalHeaderUnknownThenInvalidRequest() {
        assertRefused(
                () -> exchange(
                        token().header("crit", List.of("urn:example:unknown"))
                                .header("urn:example:unknown", true)
                                .sign(),
                        TARGET),
                "invalid_request",
                "critical header");
    }

    @Test
    void exchangeWhenDuplicateJsonMemberThenInvalidRequest() {
        String payload = token().payloadJson();
        String duplicated =
                payload.substring(0, payload.length() - 1) + ",\"sub\":\"repo:acme/admin:ref:refs/heads/main\"}";
        assertRefused(
                () -> exchange(token().signWithRawPayload(duplicated), TARGET),
                "invalid_request",
                "without duplicate members");
    }

    @Test
    void exchangeWhenBase64PaddedThenInvalidRequest() {
        String[] parts = token().sign().split("\\.");
        assertRefused(
                () -> exchange(parts[0] + "=." + parts[1] + "." + parts[2], TARGET), "invalid_request", "base64url");
    }

    @Test
    void exchangeWhenTokenIsJweThenInvalidRequest() {
        assertRefused(
                () -> exchange("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d", TARGET),
                "invalid_request",
                "JWE");
    }

    @Test
    void exchangeWhenTokenOversizedThenInvalidRequest() {
        String big = token().claim("padding", "x".repeat(17 * 1024)).sign();
        assertRefused(() -> exchange(big, TARGET), "invalid_request", "larger than");
    }

    @Test
    void exchangeWhenTokenIsGarbageThenInvalidRequest() {
        assertRefused(() -> exchange("this is not a token", TARGET), "invalid_request", "not a JWT");
        assertRefused(() -> exchange("WzFd.e30.c2ln", TARGET), "invalid_request", "not a JSON object");
        assertRefused(() -> exchange("%%%.$$$.###", TARGET), "invalid_request", "base64url");
    }

    // ---- the decision ----

    @Test
    void exchangeWhenDenyRuleMatchesThenInvalidRequest() {
        assertRefused(
                () -> exchange(token().claim("ref", "refs/heads/evil-branch").sign(), TARGET),
                "invalid_request",
                "denies this token");
    }

    @Test
    void exchangeWhenNoRuleMatchesThenInvalidRequest() {
        Response response = assertRefused(
                () -> exchange(token().claim("repository_owner_id", "999").sign(), TARGET),
                "invalid_request",
                "no trust rule");
        assertThat(response.body()).doesNotContain("4242");
    }

    @Test
    void exchangeWhenTargetNotGrantedThenInvalidTarget() {
        assertRefused(() -> exchange(token().sign(), OTHER_TARGET), "invalid_target", "is not granted");
    }

    @Test
    void exchangeWhenScopeNotGrantedThenInvalidScope() {
        Map<String, String> form = form(token().sign());
        form.put("audience", TARGET);
        form.put("scope", "deploy admin");
        assertRefused(() -> postForm(form), "invalid_scope", "scope 'admin' is not granted");
    }

    // ---- the request ----

    @Test
    void exchangeWhenTwoTargetsThenInvalidTarget() {
        String token = token().sign();
        assertRefused(
                () -> postRawForm(formBody(token) + "&audience=a&audience=b"), "invalid_target", "exactly one target");
        assertRefused(
                () -> postRawForm(formBody(token) + "&audience=" + TARGET + "&resource=" + TARGET),
                "invalid_target",
                "exactly one target");
    }

    @Test
    void exchangeWhenNoTargetThenInvalidRequest() {
        assertRefused(() -> postRawForm(formBody(token().sign())), "invalid_request", "name the target");
    }

    @Test
    void exchangeWhenGrantTypeWrongThenUnsupportedGrantType() {
        Map<String, String> form = form(token().sign());
        form.put("grant_type", "client_credentials");
        assertRefused(() -> postForm(form), "unsupported_grant_type", "grant_type must be");
    }

    @Test
    void exchangeWhenSubjectTokenMissingOrTypeWrongThenInvalidRequest() {
        assertRefused(
                () -> postRawForm("grant_type=" + GRANT_TYPE + "&audience=x&subject_token_type=" + ID_TOKEN_TYPE),
                "invalid_request",
                "subject_token is required");
        Map<String, String> form = form(token().sign());
        form.put("subject_token_type", "urn:ietf:params:oauth:token-type:saml2");
        form.put("audience", TARGET);
        assertRefused(() -> postForm(form), "invalid_request", "subject_token_type must be");
    }

    @Test
    void exchangeWhenActorTokenSentThenInvalidRequest() {
        Map<String, String> form = form(token().sign());
        form.put("audience", TARGET);
        form.put("actor_token", token().sign());
        form.put("actor_token_type", ID_TOKEN_TYPE);
        assertRefused(() -> postForm(form), "invalid_request", "not supported");
    }

    @Test
    void exchangeWhenParameterRepeatedThenInvalidRequest() {
        assertRefused(
                () -> postRawForm(formBody(token().sign()) + "&audience=" + TARGET + "&scope=a&scope=b"),
                "invalid_request",
                "repeated");
    }

    @Test
    void exchangeWhenParametersInQueryStringThenInvalidRequest() {
        assertRefused(
                () -> send(java.net.http.HttpRequest.newBuilder(URI.create(baseUrl() + "/token?audience=" + TARGET))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(formBody(token().sign())))
                        .build()),
                "invalid_request",
                "query string");
    }

    @Test
    void exchangeWhenBodyIsJsonThenInvalidRequest() {
        assertRefused(
                () -> send(java.net.http.HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"grant_type\":\"" + GRANT_TYPE + "\"}"))
                        .build()),
                "invalid_request",
                "x-www-form-urlencoded");
    }

    @Test
    void exchangeWhenContentTypeUnparseableThenInvalidRequest() {
        assertRefused(
                () -> send(java.net.http.HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                        .header("Content-Type", "foo")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(formBody(token().sign())))
                        .build()),
                "invalid_request",
                "x-www-form-urlencoded");
    }

    @Test
    void exchangeWhenScopeMalformedThenInvalidRequest() {
        Map<String, String> form = form(token().sign());
        form.put("audience", TARGET);
        form.put("scope", "deploy  read");
        assertRefused(() -> postForm(form), "invalid_request", "scope must be");
    }

    @Test
    void exchangeWhenTargetHasControlCharactersThenInvalidRequestAndStillAudited() {
        assertRefused(
                () -> postRawForm(formBody(token().sign()) + "&audience=%00"), "invalid_request", "control characters");
        assertRefused(
                () -> postRawForm(formBody(token().sign()) + "&audience=a%0Ab"),
                "invalid_request",
                "control characters");
    }

    @Test
    void exchangeWhenUnverifiedIssuerHasControlCharactersThenRefusedAndAudited() {
        String token = token().issuer("https://evil\u0000\n.example.com").sign();
        assertRefusedUntrusted(() -> exchange(token, TARGET), "is not trusted");
        Response response = exchange(token, TARGET);
        assertThat((String) auditEvent(response.json().get("exchange_id").stringValue())
                        .get("detail"))
                .contains("%00%0A")
                .doesNotContain("\u0000")
                .doesNotContain("\n");
    }

    @Test
    void exchangeWhenFormBodyMalformedThenInvalidRequest() {
        assertRefused(
                () -> postRawForm(formBody(token().sign()) + "&audience=" + TARGET + "&x=%zz"),
                "invalid_request",
                "malformed");
    }

    @Test
    void exchangeWhenKidOrAlgCarryLineBreaksThenTheCallerIsToldNothingOfThemAndTheAuditEncodesThem() throws Exception {
        for (String header : List.of(
                "{\"alg\":\"RS256\",\"kid\":\"k\\r\\nINFO forged \\\"line\\\" \\\\ é\"}",
                "{\"alg\":\"RS256\\r\\nINFO forged\",\"kid\":\""
                        + github.currentKey().getKeyID() + "\"}")) {
            String signingInput = Base64URL.encode(header) + "." + Base64URL.encode(token().payloadJson());
            Base64URL signature = new RSASSASigner(github.currentKey())
                    .sign(new JWSHeader(JWSAlgorithm.RS256), signingInput.getBytes(StandardCharsets.US_ASCII));
            Response response = exchange(signingInput + "." + signature, TARGET);
            assertRefusedUntrusted(() -> response, "%0D%0AINFO forged");

            Map<String, Object> event =
                    auditEvent(response.json().get("exchange_id").stringValue());
            assertThat((String) event.get("detail"))
                    .contains("%0D%0AINFO forged")
                    .doesNotContain("\r")
                    .doesNotContain("\n");
        }
    }

    @Test
    void exchangeWhenParameterNameHasLineBreakThenInvalidRequest() {
        // Spring Security's firewall refuses such a name when the form is read: a 400, not a failure.
        assertRefused(
                () -> postRawForm(formBody(token().sign()) + "&audience=" + TARGET + "&a%0D%0Ab=1"),
                "invalid_request",
                "parameter name");
    }

    @Test
    void exchangeWhenBodyIsMultipartThenInvalidRequest() {
        for (String body : List.of(
                "--XX\r\nbroken",
                "--XX\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\n" + GRANT_TYPE
                        + "\r\n--XX--\r\n")) {
            assertRefused(
                    () -> send(HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                            .header("Content-Type", "multipart/form-data; boundary=XX")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build()),
                    "invalid_request",
                    "application/x-www-form-urlencoded");
        }
    }

    @Test
    void exchangeWhenAcceptAsksForHtmlThenAnsweredInJsonAnyway() {
        Response response = assertRefused(
                () -> send(HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "text/html")
                        .POST(HttpRequest.BodyPublishers.ofString(formBody(token().sign())))
                        .build()),
                "invalid_request",
                "name the target");
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void tokenWithAnotherMethodThenOAuthErrorNotProblemDetails() {
        // TRACE is refused by Tomcat itself and reaches the error page, not Spring MVC: the same answer.
        for (String method : List.of("GET", "PUT", "DELETE", "TRACE")) {
            Response response = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/token"))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build());
            assertThat(response.status()).as(method).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("POST");
            assertThat(response.header("Cache-Control")).isEqualTo("no-store");
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            assertThat(response.json().get("error").stringValue()).isEqualTo("invalid_request");
            assertThat(response.json().get("error_description").stringValue()).contains("use POST");
        }
    }

    @Test
    void exchangeWhenCritIsEmptyThenInvalidRequest() throws Exception {
        String header = "{\"alg\":\"RS256\",\"kid\":\"" + github.currentKey().getKeyID() + "\",\"crit\":[]}";
        String signingInput = Base64URL.encode(header) + "." + Base64URL.encode(token().payloadJson());
        Base64URL signature = new RSASSASigner(github.currentKey())
                .sign(new JWSHeader(JWSAlgorithm.RS256), signingInput.getBytes(StandardCharsets.US_ASCII));
        assertRefused(() -> exchange(signingInput + "." + signature, TARGET), "invalid_request", "critical header");
    }

    @Test
    void exchangeWhenPayloadHasNonFiniteNumberThenInvalidRequest() {
        String payload = token().payloadJson();
        String infinite = payload.substring(0, payload.length() - 1) + ",\"repository\":1e400}";
        assertRefused(
                () -> exchange(token().signWithRawPayload(infinite), TARGET),
                "invalid_request",
                "subject_token payload");
    }

    @Test
    void exchangeWhenAStringHoldsAnUnpairedSurrogateEscapeThenInvalidRequest() {
        String payload = token().payloadJson();
        for (String lone : List.of("\\ud800", "x\\udfff", "\\udc00\\ud800")) {
            String withLone = payload.substring(0, payload.length() - 1) + ",\"custom_claim\":\"" + lone + "\"}";
            assertRefused(
                    () -> exchange(token().signWithRawPayload(withLone), TARGET),
                    "invalid_request",
                    "unpaired surrogate");
        }
        String loneInName = payload.substring(0, payload.length() - 1) + ",\"\\ud800\":\"x\"}";
        assertRefused(
                () -> exchange(token().signWithRawPayload(loneInName), TARGET),
                "invalid_request",
                "unpaired surrogate");
        String paired = payload.substring(0, payload.length() - 1) + ",\"custom_claim\":\"ship \\ud83d\\ude80\"}";
        Response rocket = exchange(token().signWithRawPayload(paired), TARGET);
        assertThat(rocket.status())
                .as("a surrogate pair is a character: %s", rocket.body())
                .isEqualTo(200);
    }

    @Test
    void everyRefusalBeforeTheSignatureLooksTheSameToTheCaller() {
        String kid = github.currentKey().getKeyID();
        List<Response> answers = List.of(
                exchange(
                        token().issuer("https://ghes.internal.example.com/_services/token")
                                .sign(),
                        TARGET),
                exchange(disabled.github().sign(), TARGET),
                exchange(token().hs256WithSecret(new byte[32]), TARGET),
                exchange(token().signWith(TestIssuer.newKey()).sign(), TARGET),
                exchange(token().signWith(TestIssuer.newKey()).keyId(kid).sign(), TARGET));

        for (Response answer : answers) {
            assertThat(answer.status()).isEqualTo(400);
            JsonNode body = answer.json();
            assertThat(body.get("error").stringValue()).isEqualTo("invalid_request");
            assertThat(body.get("error_description").stringValue()).isEqualTo(SubjectTokenRejected.UNTRUSTED);
            assertThat(body.properties())
                    .extracting(java.util.Map.Entry::getKey)
                    .containsExactlyInAnyOrder("error", "error_description", "exchange_id");
        }
        assertThat(answers.stream()
                        .map(r -> auditEvent(r.json().get("exchange_id").stringValue())
                                .get("detail")))
                .as("the audit log keeps each precise reason")
                .anySatisfy(d -> assertThat((String) d).startsWith("UNKNOWN_ISSUER"))
                .anySatisfy(d -> assertThat((String) d).startsWith("DISABLED_ISSUER"))
                .anySatisfy(d -> assertThat((String) d).startsWith("ALGORITHM_NOT_ALLOWED"))
                .anySatisfy(d -> assertThat((String) d).startsWith("UNKNOWN_KEY"))
                .anySatisfy(d -> assertThat((String) d).startsWith("BAD_SIGNATURE"));
    }

    @Test
    void exchangeWhenPayloadHasAnIntegerTooLongForADoubleThenInvalidRequestNotAServerError() {
        // 400 digits: valid JSON, exact as an integer, but no double holds it.
        String payload = token().payloadJson();
        String huge = "1" + "0".repeat(399);
        String inCustomClaim = payload.substring(0, payload.length() - 1) + ",\"huge\":" + huge + "}";
        assertRefused(
                () -> exchange(token().signWithRawPayload(inCustomClaim), TARGET),
                "invalid_request",
                "payload has a number out of range");
        String longButFinite = payload.substring(0, payload.length() - 1) + ",\"big\":" + "9".repeat(300) + "}";
        Response finite = exchange(token().signWithRawPayload(longButFinite), TARGET);
        assertThat(finite.status())
                .as("300 digits still fit a double: %s", finite.body())
                .isEqualTo(200);

        // 25 digits: a finite double, but no long: a time claim out of range, not a failure to convert it.
        String inExp = payload.replaceFirst("\"exp\":\\d+", "\"exp\":1" + "0".repeat(24));
        assertThat(inExp).isNotEqualTo(payload);
        assertRefused(
                () -> exchange(token().signWithRawPayload(inExp), TARGET), "invalid_request", "exp is out of range");
    }

    @Test
    void exchangeWhenPayloadIsNotValidUtf8ThenInvalidRequest() throws Exception {
        // A sub with bytes that are not UTF-8 must not become U+FFFD: two different subjects would become one.
        String payload = token().payloadJson();
        byte[] json = payload.getBytes(StandardCharsets.UTF_8);
        int at = payload.indexOf("\"sub\":\"") + "\"sub\":\"".length();
        byte[] broken = new byte[json.length + 2];
        System.arraycopy(json, 0, broken, 0, at);
        broken[at] = (byte) 0xFF;
        broken[at + 1] = (byte) 0xFE;
        System.arraycopy(json, at, broken, at + 2, json.length - at);
        String header = "{\"alg\":\"RS256\",\"kid\":\"" + github.currentKey().getKeyID() + "\"}";
        String signingInput = Base64URL.encode(header) + "." + Base64URL.encode(broken);
        Base64URL signature = new RSASSASigner(github.currentKey())
                .sign(new JWSHeader(JWSAlgorithm.RS256), signingInput.getBytes(StandardCharsets.US_ASCII));
        assertRefused(
                () -> exchange(signingInput + "." + signature, TARGET),
                "invalid_request",
                "payload is not valid UTF-8");

        Response valid = exchange(
                token().subject("repo:acme/app-é-漢字:ref:refs/heads/main").sign(), TARGET);
        assertThat(valid.status())
                .as("valid UTF-8 beyond ASCII is fine: %s", valid.body())
                .isEqualTo(200);
    }

    @Test
    void refusalsQuoteTheRequestedTargetAndScopeEncodedAndCut() {
        Response target = assertRefused(
                () -> exchange(token().sign(), "https://errors.example.com/it's-\u202e-here"),
                "invalid_target",
                "is not granted to this token");
        assertThat(target.json().get("error_description").stringValue())
                .contains("'https://errors.example.com/it%27s-%E2%80%AE-here'");

        Map<String, String> form = form(token().sign());
        form.put("audience", TARGET);
        form.put("scope", "s".repeat(300));
        Response scope = assertRefused(() -> postForm(form), "invalid_scope", "is not granted for target");
        assertThat(scope.json().get("error_description").stringValue())
                .contains("'" + "s".repeat(128) + "'...")
                .hasSizeLessThan(400);
    }

    private static Map<String, String> form(String subjectToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("subject_token", subjectToken);
        form.put("subject_token_type", ID_TOKEN_TYPE);
        return form;
    }

    private static String formBody(String subjectToken) {
        return "grant_type=" + GRANT_TYPE + "&subject_token=" + subjectToken + "&subject_token_type=" + ID_TOKEN_TYPE;
    }

    /** The error and status, no token in the answer or minted, and a refused audit event with that error. */
    private Response assertRefused(Supplier<Response> call, String error, String descriptionPart) {
        long issuedBefore = issuedEvents();
        Response response = call.get();
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = response.json();
        assertThat(body.get("error").stringValue()).isEqualTo(error);
        assertThat(body.get("error_description").stringValue())
                .contains(descriptionPart)
                .as("RFC 6749 §5.2 error_description characters")
                .matches("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*");
        assertThat(body.has("access_token")).isFalse();
        String exchangeId = body.get("exchange_id").stringValue();

        Map<String, Object> event = auditEvent(exchangeId);
        assertThat(event.get("outcome")).isEqualTo("refused");
        assertThat(event.get("error")).isEqualTo(error);
        assertThat(event.get("token_id")).isNull();
        assertThat(issuedEvents()).isEqualTo(issuedBefore);
        return response;
    }

    /**
     * A refusal before the signature was verified: the caller is told the same for every one of them
     * (nothing about which issuers, algorithms or keys Ferry trusts); the audit log keeps the reason.
     */
    private void assertRefusedUntrusted(Supplier<Response> call, String detailPart) {
        Response response = assertRefused(call, "invalid_request", "");
        assertThat(response.json().get("error_description").stringValue()).isEqualTo(SubjectTokenRejected.UNTRUSTED);
        assertThat((String) auditEvent(response.json().get("exchange_id").stringValue())
                        .get("detail"))
                .contains(detailPart);
    }
}
