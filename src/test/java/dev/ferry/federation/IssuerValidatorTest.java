package dev.ferry.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** Issuer URLs must be https unless {@code ferry.federation.allow-insecure-http} is set. */
class IssuerValidatorTest {

    private static IssuerValidator validator(boolean allowInsecureHttp) {
        FerryProperties properties = new FerryProperties(
                URI.create("https://ferry.example.com"),
                Path.of("data"),
                new FerryProperties.Admin(null, null),
                new FerryProperties.Keys(
                        dev.ferry.config.SigningAlgorithm.ES256,
                        null,
                        java.util.List.of(),
                        Duration.ofDays(30),
                        Duration.ofHours(1),
                        0),
                new FerryProperties.Token(Duration.ofHours(1), Duration.ofMinutes(15), DataSize.ofKilobytes(16)),
                new FerryProperties.Federation(
                        allowInsecureHttp,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(3),
                        DataSize.ofKilobytes(256),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        Duration.ofHours(24)),
                new FerryProperties.Cache(Duration.ofSeconds(5)),
                new FerryProperties.Audit(
                        Duration.ofDays(90),
                        Duration.ofHours(1),
                        Duration.ofMinutes(5),
                        10_000,
                        Duration.ofSeconds(10),
                        new FerryProperties.Impact(
                                Duration.ofDays(7), Duration.ofSeconds(20), Duration.ofMinutes(5), 0.25)),
                new FerryProperties.Bootstrap(null),
                new FerryProperties.RateLimit(true, 600, 120, Duration.ofMinutes(1), 20),
                new FerryProperties.Replicas(Duration.ofSeconds(30)),
                new FerryProperties.Console(true, new FerryProperties.Oidc(null, null, List.of("openid"))),
                new FerryProperties.Lint(List.of("unbound-identity")),
                new FerryProperties.Dpop(
                        List.of(dev.ferry.config.SigningAlgorithm.ES256),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(5),
                        FerryProperties.Dpop.Nonce.OFF,
                        Duration.ofMinutes(5)));
        return new IssuerValidator(properties);
    }

    private static IssuerDefinition oidc(String url) {
        return new IssuerDefinition(
                "local", IssuerType.OIDC, url, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void httpIssuerIsRefusedWithoutTheFlag() {
        assertThatThrownBy(() -> validator(false).normalize(oidc("http://127.0.0.1:9000")))
                .isInstanceOf(DefinitionException.Invalid.class)
                .hasMessageContaining("allow-insecure-http");
    }

    @Test
    void httpIssuerIsAcceptedWithTheFlag() {
        assertThat(validator(true).normalize(oidc("http://127.0.0.1:9000")).issuerUrl())
                .isEqualTo("http://127.0.0.1:9000");
    }

    @Test
    void defaultsAreFilledIn() {
        IssuerDefinition d = validator(false).normalize(oidc("https://issuer.example.com"));
        assertThat(d.acceptedAudiences()).containsExactly("https://ferry.example.com");
        assertThat(d.algorithms()).containsExactly("RS256");
        assertThat(d.clockSkewSeconds()).isEqualTo(60);
        assertThat(d.replayProtection()).isFalse();
        assertThat(d.enabled()).isTrue();
        assertThat(d.claimMappings()).isEmpty();
    }
}
