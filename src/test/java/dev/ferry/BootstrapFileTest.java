package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.federation.IssuerService;
import dev.ferry.policy.RuleService;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code ferry.bootstrap.file} is applied at every start: idempotent, and a bad file stops the start. */
class BootstrapFileTest {

    @TempDir
    Path dir;

    private static final String FILE = """
            issuers:
              - name: github
                type: github
                acceptedAudiences: ["https://ferry.example.com"]
            rules:
              - name: deploy-main
                issuer: github
                effect: allow
                conditions:
                  - {claim: repository_owner_id, operator: equals, value: "4242"}
                  - {claim: ref, operator: equals, value: refs/heads/main}
                targets: ["https://deploy.example.com"]
                scopes: [deploy]
            """;

    private ConfigurableApplicationContext start(Path file) {
        return new SpringApplicationBuilder(FerryApplication.class)
                .run(
                        "--server.port=0",
                        "--ferry.data-dir=" + dir,
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("ferry"),
                        "--ferry.bootstrap.file=" + file);
    }

    @Test
    void fileIsAppliedAtStartAndAgainWithoutChange() throws Exception {
        Path file = Files.writeString(dir.resolve("ferry.yaml"), FILE);
        long version;
        try (ConfigurableApplicationContext first = start(file)) {
            assertThat(first.getBean(IssuerService.class)
                            .get("github")
                            .definition()
                            .issuerUrl())
                    .isEqualTo("https://token.actions.githubusercontent.com");
            version = first.getBean(RuleService.class).get("deploy-main").version();
        }
        try (ConfigurableApplicationContext second = start(file)) {
            assertThat(second.getBean(RuleService.class).get("deploy-main").version())
                    .as("unchanged, not rewritten")
                    .isEqualTo(version);
            assertThat(second.getBean(RuleService.class).list()).hasSize(1);
        }
    }

    @Test
    void invalidFileStopsTheStartNamingTheEntry() throws Exception {
        Path file = Files.writeString(
                dir.resolve("ferry.yaml"),
                FILE.replace("operator: equals, value: refs/heads/main", "operator: regex, value: \"(\""));

        assertThatThrownBy(() -> start(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ferry.bootstrap.file")
                .hasMessageContaining("rules[0].conditions[1].value");
    }

    @Test
    void aFileWithARuleThatFerryLintRefuseRefusesStopsTheStartUnlessAcknowledged() throws Exception {
        String unpinned = FILE.replace("      - {claim: repository_owner_id, operator: equals, value: \"4242\"}\n", "");
        Path file = Files.writeString(dir.resolve("ferry.yaml"), unpinned);

        assertThatThrownBy(() -> start(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rules[0]")
                .hasMessageContaining("unbound-identity");

        Files.writeString(
                file,
                unpinned.replace(
                        "    scopes: [deploy]",
                        "    scopes: [deploy]\n"
                                + "    acknowledged: [{code: unbound-identity, reason: \"only our own runners reach this issuer\"}]"));
        try (ConfigurableApplicationContext started = start(file)) {
            assertThat(started.getBean(RuleService.class)
                            .get("deploy-main")
                            .definition()
                            .acknowledged())
                    .singleElement()
                    .satisfies(a -> assertThat(a.code()).isEqualTo("unbound-identity"));
        }
    }
}
