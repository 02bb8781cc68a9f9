package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import tools.jackson.databind.JsonNode;

/**
 * The happy path, end to end with independent parts: an OIDC issuer serving discovery and JWKS, the
 * Nimbus OAuth 2.0 SDK as the CI job's client, and a Spring Security resource server, configured with
 * nothing but Ferry's issuer URL, as the gateway.
 */
class TokenExchangeTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer github = new TestIssuer();

    @RegisterExtension
    static final TestIssuer gitlab = new TestIssuer("/gitlab");

    private static boolean configured;
    private static String githubName;
    private static String gitlabName;
    private static final String TARGET = "https://deploy.example.com";

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        githubName = unique("gh");
        create("issuers", issuerFor(githubName, github.url(), TestIssuer.DEFAULT_AUDIENCE));
        Map<String, Object> gl = issuerFor(unique("gl"), gitlab.url(), TestIssuer.DEFAULT_AUDIENCE);
        gl.put("type", "gitlab");
        gitlabName = (String) gl.get("name");
        create("issuers", gl);
        Map<String, Object> deploy = rule(
                unique("deploy-main"),
                githubName,
                "allow",
                List.of(
                        condition("repository_owner_id", "equals", "4242"),
                        condition("ref", "equals", "refs/heads/main")),
                List.of(TARGET),
                List.of("deploy", "read"));
        deploy.put("ttlSeconds", 600);
        create("rules", deploy);
        create(
                "rules",
                rule(
                        unique("gitlab-main"),
                        gitlabName,
                        "allow",
                        List.of(
                                condition("namespace_id", "equals", "72"),
                                condition("ref_protected", "equals", "true")),
                        List.of(TARGET),
                        List.of("deploy")));
        configured = true;
    }

    @Test
    void exchangeWithNimbusClientThenResourceServerAcceptsToken() throws Exception {
        TokenExchangeGrant grant = new TokenExchangeGrant(
                new TypelessToken(github.github().sign()),
                TokenTypeURI.ID_TOKEN,
                null,
                null,
                null,
                List.of(new Audience(TARGET)));
        TokenRequest request = new TokenRequest.Builder(URI.create(baseUrl() + "/token"), grant)
                .scope(new Scope("deploy"))
                .build();
        TokenResponse response = TokenResponse.parse(request.toHTTPRequest().send());

        assertThat(response.indicatesSuccess())
                .as(() -> response.toErrorResponse().getErrorObject().toString())
                .isTrue();
        AccessTokenResponse success = response.toSuccessResponse();
        String accessToken = success.getTokens().getAccessToken().getValue();
        assertThat(success.getTokens().getAccessToken().getIssuedTokenType()).isEqualTo(TokenTypeURI.ACCESS_TOKEN);
        assertThat(success.getTokens().getAccessToken().getLifetime()).isEqualTo(600);
        assertThat(success.getTokens().getAccessToken().getScope()).isEqualTo(new Scope("deploy"));

        Jwt jwt = gatewayDecoder(TARGET).decode(accessToken);
        assertThat(jwt.getIssuer().toString()).isEqualTo(ferryIssuer);
        assertThat(jwt.getAudience()).containsExactly(TARGET);
        assertThat(jwt.getSubject()).isEqualTo(githubName + ":repo:acme/app:ref:refs/heads/main");
        assertThat(jwt.getClaimAsString("scope")).isEqualTo("deploy");
        assertThat(jwt.getClaimAsString("client_id")).isEqualTo(githubName);
        assertThat(jwt.getClaimAsString("repository")).isEqualTo("acme/app");
        assertThat(jwt.getClaimAsString("repository_owner_id")).isEqualTo("4242");
        assertThat(jwt.getClaimAsMap("upstream"))
                .containsEntry("iss", github.url())
                .containsEntry("sub", "repo:acme/app:ref:refs/heads/main");
        assertThat(jwt.getId()).isNotBlank();
        assertThat(Duration.between(jwt.getIssuedAt(), jwt.getExpiresAt())).isEqualTo(Duration.ofSeconds(600));
        assertThat(SignedJWT.parse(accessToken).getHeader().getType().toString())
                .isEqualTo("at+jwt");
        assertThat(SignedJWT.parse(accessToken).getHeader().getAlgorithm().getName())
                .isEqualTo("ES256");
    }

    @Test
    void exchangeWithoutScopeThenEveryGrantedScopeAndAuditEventStored() {
        Response response = exchange(github.github().sign(), TARGET);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("scope").stringValue()).isEqualTo("deploy read");
        assertThat(body.get("token_type").stringValue()).isEqualTo("Bearer");
        assertThat(body.get("issued_token_type").stringValue())
                .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        // One write to the socket: a fixed length, not chunked.
        assertThat(response.header("Content-Length"))
                .isEqualTo(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(response.header("Transfer-Encoding")).isNull();
        String exchangeId = response.header("Ferry-Exchange-Id");
        assertThat(exchangeId).isNotBlank();

        Map<String, Object> event = auditEvent(exchangeId);
        assertThat(event.get("outcome")).isEqualTo("issued");
        assertThat(event.get("issuer")).isEqualTo(githubName);
        assertThat(event.get("subject")).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(event.get("target")).isEqualTo(TARGET);
        assertThat((String) event.get("granted_scopes")).contains("deploy", "read");
        assertThat((String) event.get("claims"))
                .as("every verified claim of the subject token")
                .contains("\"repository\":\"acme/app\"")
                .contains("\"sub\":\"repo:acme/app:ref:refs/heads/main\"");
        assertThat((String) event.get("matched_rules")).contains("deploy-main");
        assertThat((String) event.get("decision"))
                .contains("\"matched\":true")
                .contains("deploy-main")
                .doesNotContain("\"expected\"");
        assertThat(event.get("token_id")).isNotNull();
        assertThat(event.get("token_expires_at")).isNotNull();
        assertThat(event.values())
                .noneMatch(v -> v instanceof String s
                        && s.contains(body.get("access_token").stringValue()));
    }

    @Test
    void exchangeGitLabTokenThenGatewayAcceptsIt() {
        Response response = exchange(gitlab.gitlab().sign(), TARGET);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        Jwt jwt = gatewayDecoder(TARGET)
                .decode(response.json().get("access_token").stringValue());
        assertThat(jwt.getSubject()).isEqualTo(gitlabName + ":project_path:acme/app:ref_type:branch:ref:main");
        assertThat(jwt.getClaimAsString("project_path")).isEqualTo("acme/app");
        assertThat(jwt.getClaimAsString("namespace_id")).isEqualTo("72");
        assertThat(jwt.getClaimAsString("scope")).isEqualTo("deploy");
        assertThat(jwt.getClaims()).doesNotContainKey("user_email");
    }

    @Test
    void exchangeWithResourceParameterThenSameDecision() {
        Response response = postForm(Map.of(
                "grant_type",
                GRANT_TYPE,
                "subject_token",
                github.github().sign(),
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:jwt",
                "resource",
                TARGET,
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:jwt"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("issued_token_type").stringValue())
                .isEqualTo("urn:ietf:params:oauth:token-type:jwt");
    }

    @Test
    void gatewayRefusesTokenForAnotherAudience() {
        String accessToken = exchange(github.github().sign(), TARGET)
                .json()
                .get("access_token")
                .stringValue();

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> gatewayDecoder("https://other.example.com").decode(accessToken))
                .hasMessageContaining("aud");
    }

    @Test
    void issuedTokenExpiresWithinTheRuleLifetime() {
        Instant before = Instant.now().minusSeconds(1);
        JsonNode body = exchange(github.github().sign(), TARGET).json();
        Jwt jwt = gatewayDecoder(TARGET).decode(body.get("access_token").stringValue());
        assertThat(body.get("expires_in").asLong()).isEqualTo(600);
        assertThat(jwt.getExpiresAt())
                .isBetween(before.plusSeconds(600), Instant.now().plusSeconds(601));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void tokensNeverReachTheLog(CapturedOutput output) {
        String subjectToken = github.github().sign();
        String accessToken =
                exchange(subjectToken, TARGET).json().get("access_token").stringValue();
        String refusedToken = github.github().claim("repository_owner_id", "1").sign();
        exchange(refusedToken, TARGET);
        exchange(subjectToken.substring(0, subjectToken.length() - 4) + "AAAA", TARGET);
        postRawForm("grant_type=" + GRANT_TYPE + "&subject_token=" + subjectToken + "%&subject_token_type="
                + ID_TOKEN_TYPE);
        flushAudit();
        String stored = jdbc.queryForList("select detail from audit_event where detail is not null", String.class)
                .toString();
        assertThat(stored).doesNotContain(subjectToken.substring(subjectToken.lastIndexOf('.') + 1));

        String signature = subjectToken.substring(subjectToken.lastIndexOf('.') + 1);
        assertThat(output.getAll())
                .doesNotContain(signature)
                .doesNotContain(accessToken.substring(accessToken.lastIndexOf('.') + 1))
                .doesNotContain(refusedToken.substring(refusedToken.lastIndexOf('.') + 1));
    }

    @Test
    void metadataIsOneDocumentForRfc8414AndOpenIdDiscovery() {
        JsonNode oauth = get("/.well-known/oauth-authorization-server").json();
        JsonNode oidc = get("/.well-known/openid-configuration").json();

        assertThat(oidc).isEqualTo(oauth);
        assertThat(oauth.get("issuer").stringValue()).isEqualTo(ferryIssuer);
        assertThat(oauth.get("token_endpoint").stringValue()).isEqualTo(ferryIssuer + "/token");
        assertThat(oauth.get("jwks_uri").stringValue()).isEqualTo(ferryIssuer + "/.well-known/jwks.json");
        assertThat(oauth.get("introspection_endpoint").stringValue()).isEqualTo(ferryIssuer + "/introspect");
        assertThat(oauth.get("revocation_endpoint").stringValue()).isEqualTo(ferryIssuer + "/revoke");
        assertThat(oauth.get("grant_types_supported").toString())
                .contains("urn:ietf:params:oauth:grant-type:token-exchange");
        assertThat(oauth.get("id_token_signing_alg_values_supported").toString())
                .contains("ES256");
    }

    @Test
    void springSecurityDefaultValidatorsRefuseAtJwtTypeSoGatewaysMustAcceptIt() {
        String accessToken = exchange(github.github().sign(), TARGET)
                .json()
                .get("access_token")
                .stringValue();
        NimbusJwtDecoder defaults = JwtDecoders.fromIssuerLocation(ferryIssuer);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.decode(accessToken))
                .hasMessageContaining("typ");
    }

    /**
     * What a gateway configures (docs/gateways.md): Ferry's issuer URL, the audience it is, and the
     * RFC 9068 §4 type check {@code typ: at+jwt}, which replaces Spring Security 7's default {@code JWT}-only check.
     */
    private NimbusJwtDecoder gatewayDecoder(String audience) {
        NimbusJwtDecoder decoder = JwtDecoders.fromIssuerLocation(ferryIssuer);
        OAuth2TokenValidator<Jwt> audienceValidator =
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience));
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
                List.of(new JwtTypeValidator("at+jwt"), new JwtIssuerValidator(ferryIssuer), audienceValidator)));
        return decoder;
    }
}
