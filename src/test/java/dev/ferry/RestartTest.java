package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Ferry's signing key outlives the process: generated once, stored encrypted, and used again after a
 * restart, so tokens issued before it still verify against the JWKS served after it.
 */
class RestartTest {

    @TempDir
    Path dataDir;

    @Test
    void tokenIssuedBeforeRestartVerifiesAgainstJwksAfterIt() throws Exception {
        String token;
        try (ConfigurableApplicationContext first = start()) {
            token = first.getBean(TokenMinter.class).mint(mintRequest()).accessToken();
        }
        assertThat(dataDir.resolve("encryption.key"))
                .as("generated on H2 without ferry.keys.encryption-key")
                .exists();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("encryption.key"))))
                .isEqualTo("rw-------");

        try (ConfigurableApplicationContext second = start()) {
            int port = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));
            JWKSet jwks = JWKSet.load(URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json")
                    .toURL());
            SignedJWT jwt = SignedJWT.parse(token);
            ECKey key = (ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
            assertThat(key)
                    .as("the key that signed before the restart is published after it")
                    .isNotNull();
            assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
            assertThat(jwks.getKeys()).hasSize(1);
        }
    }

    @Test
    void startWithAnotherEncryptionKeyIsRefusedClearly() {
        try (ConfigurableApplicationContext first = start()) {
            assertThat(first.getBean(TokenMinter.class)).isNotNull();
        }
        assertThatThrownBy(() -> start("--ferry.keys.encryption-key=" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="))
                .rootCause()
                .hasMessageContaining("cannot decrypt signing key")
                .hasMessageContaining("ferry.keys.encryption-key");
    }

    private ConfigurableApplicationContext start(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--server.port=0",
                "--ferry.data-dir=" + dataDir,
                "--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("ferry")));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(FerryApplication.class).run(args.toArray(String[]::new));
    }

    private static MintRequest mintRequest() {
        return new MintRequest(
                "github",
                "https://token.actions.githubusercontent.com",
                "repo:acme/app:ref:refs/heads/main",
                "jti-1",
                "https://deploy.example.com",
                List.of("deploy"),
                Duration.ofMinutes(5),
                Map.of("repository", "acme/app"));
    }
}
