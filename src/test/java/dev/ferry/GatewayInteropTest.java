package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * What a gateway or client that follows the RFCs to the letter, rather than Spring's, meets: the
 * key set and metadata whatever {@code Accept} says, client credentials form-encoded before Basic
 * encoding (RFC 6749 §2.3.1), one introspection client readable on its own.
 */
class GatewayInteropTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private static final String TARGET = "https://interop.example.com";
    private static boolean configured;
    private static String issuerName;

    @BeforeEach
    void configure() {
        if (configured) {
            return;
        }
        issuerName = unique("interop");
        create("issuers", issuerFor(issuerName, ci.url(), TestIssuer.DEFAULT_AUDIENCE));
        create(
                "rules",
                rule(
                        unique("interop-allow"),
                        issuerName,
                        "allow",
                        List.of(condition("repository_owner_id", "equals", "4242")),
                        List.of(TARGET),
                        List.of("deploy")));
        configured = true;
    }

    private Response get(String path, String accept) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request.build());
    }

    @ParameterizedTest(name = "Accept: {0}")
    @ValueSource(
            strings = {
                "application/json",
                "text/html",
                "application/jwk-set+json",
                "*/*",
                "application/xml;q=0.9, text/plain",
                "not a media type"
            })
    void jwksIsServedWhateverTheAcceptHeaderSays(String accept) throws Exception {
        Response jwks = get("/.well-known/jwks.json", accept);

        assertThat(jwks.status()).as(jwks.body()).isEqualTo(200);
        assertThat(JWKSet.parse(jwks.body()).getKeys()).isNotEmpty();
        String expected = accept.equals("application/json") ? "application/json" : "application/jwk-set+json";
        assertThat(jwks.header("Content-Type")).startsWith(expected);
    }

    @Test
    void jwksWithoutAcceptIsTheKeySetType() {
        Response jwks = get("/.well-known/jwks.json", null);

        assertThat(jwks.status()).isEqualTo(200);
        assertThat(jwks.header("Content-Type")).startsWith("application/jwk-set+json");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/.well-known/oauth-authorization-server",
                "/.well-known/openid-configuration",
                "/.well-known/oauth-protected-resource/admin/v1"
            })
    void everyMetadataDocumentIsServedAsJsonWhateverTheAcceptHeaderSays(String path) {
        for (String accept : List.of("application/json", "text/html", "application/xml", "*/*")) {
            Response metadata = get(path, accept);

            assertThat(metadata.status())
                    .as("%s with Accept %s: %s", path, accept, metadata.body())
                    .isEqualTo(200);
            assertThat(metadata.header("Content-Type")).startsWith("application/json");
            assertThat(metadata.json().isObject()).isTrue();
        }
    }

    @Test
    void introspectionAcceptsCredentialsFormEncodedBeforeBasicEncodingAndRawAlike() throws Exception {
        Client client = clientWithDashAndUnderscore(unique("strict-gw"));
        String clientId = client.id();
        String secret = client.secret();
        String token = accessToken();

        for (String header :
                List.of(basic(formEncodedStrictly(clientId), formEncodedStrictly(secret)), basic(clientId, secret))) {
            Response answer = introspect(token, header);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.json().get("active").asBoolean()).isTrue();
        }
        assertThat(introspect(token, basic(formEncodedStrictly(clientId), formEncodedStrictly(secret + "x")))
                        .status())
                .isEqualTo(401);
        assertThat(introspect(token, basic(clientId, "%zz")).status())
                .as("a malformed escape is a wrong secret, not an error")
                .isEqualTo(401);
    }

    @Test
    void introspectionWorksForNimbusClientSecretBasic() throws Exception {
        Client client = clientWithDashAndUnderscore(unique("nimbus-gw"));

        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
                        URI.create(baseUrl() + "/introspect"),
                        new ClientSecretBasic(new ClientID(client.id()), new Secret(client.secret())),
                        new TypelessAccessToken(accessToken()))
                .toHTTPRequest()
                .send());

        assertThat(response.indicatesSuccess()).isTrue();
        assertThat(response.toSuccessResponse().isActive()).isTrue();
    }

    @Test
    void oneIntrospectionClientIsReadableWithoutItsSecret() {
        String clientId = unique("one-gw");
        create("clients", Map.of("id", clientId, "description", "read me"));

        Response one = admin("GET", "/admin/v1/clients/" + clientId, null);

        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(one.json().get("id").stringValue()).isEqualTo(clientId);
        assertThat(one.json().get("description").stringValue()).isEqualTo("read me");
        assertThat(one.json().get("createdAt").isString()).isTrue();
        assertThat(one.json().path("secret").isMissingNode()
                        || one.json().get("secret").isNull())
                .isTrue();
        Response missing = admin("GET", "/admin/v1/clients/no-such-client", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
    }

    private record Client(String id, String secret) {}

    /** A client whose generated secret holds a '-' and a '_' (one in four does): created until one does. */
    private Client clientWithDashAndUnderscore(String prefix) {
        for (int attempt = 0; attempt < 50; attempt++) {
            JsonNode client = create("clients", Map.of("id", prefix + "-" + attempt));
            String secret = client.get("secret").stringValue();
            if (secret.contains("-") && secret.contains("_")) {
                return new Client(client.get("id").stringValue(), secret);
            }
        }
        throw new AssertionError("no generated secret held both '-' and '_' in 50 tries");
    }

    private String accessToken() {
        Response response = exchange(ci.github().sign(), TARGET);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("access_token").stringValue();
    }

    private Response introspect(String token, String authorization) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                .build());
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** The strictest reading of application/x-www-form-urlencoded: every byte but a letter or digit escaped. */
    private static String formEncodedStrictly(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            if (Character.isLetterOrDigit(b)) {
                encoded.append((char) b);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return encoded.toString();
    }
}
