package dev.ferry;

import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Ferry of a test's own, for tests that stop it or change settings the shared integration
 * context must keep: an H2 file database in {@code dir}, the issuer {@code ci} (a GitHub type
 * accepting audience {@code ferry}) and one rule allowing repository owner 4242 to reach {@code target}.
 *
 * @param database the JDBC URL of its database, still readable after it stopped
 */
public record StandaloneFerry(ConfigurableApplicationContext context, int port, String database)
        implements AutoCloseable {

    private static final String DATABASE_ARGUMENT = "--spring.datasource.url=";

    /**
     * @param issuerOptions more fields of the issuer's definition, as YAML flow-mapping entries
     *     ({@code "replayProtection: true"}), or empty
     * @param args more Ferry arguments ({@code --key=value}), each replacing a default of the same
     *     setting; a {@code --spring.datasource.url} replaces the H2 file database in {@code dir}
     */
    public static StandaloneFerry start(Path dir, TestIssuer ci, String target, String issuerOptions, String... args)
            throws Exception {
        Path definitions = Files.writeString(dir.resolve("ferry.yaml"), """
                issuers:
                  - {name: ci, type: github, issuerUrl: "%s", acceptedAudiences: [ferry]%s}
                rules:
                  - name: allow
                    issuer: ci
                    effect: allow
                    conditions: [{claim: repository_owner_id, operator: equals, value: "4242"}]
                    targets: ["%s"]
                """.formatted(
                        ci.url(), issuerOptions.isEmpty() ? "" : ", " + issuerOptions, target));
        int port = FerryIntegrationTest.freePort();
        String database = Stream.of(args)
                .filter(arg -> arg.startsWith(DATABASE_ARGUMENT))
                .map(arg -> arg.substring(DATABASE_ARGUMENT.length()))
                .findFirst()
                .orElse("jdbc:h2:file:" + dir.resolve("ferry"));
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--ferry.issuer=http://127.0.0.1:" + port,
                "--ferry.data-dir=" + dir,
                "--spring.datasource.url=" + database,
                "--ferry.federation.allow-insecure-http=true",
                "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY,
                "--ferry.bootstrap.file=" + definitions,
                "--ferry.rate-limit.enabled=false"));
        // An argument given replaces the default of the same setting.
        Stream.of(args).filter(arg -> !arg.startsWith(DATABASE_ARGUMENT)).forEach(arg -> {
            arguments.removeIf(
                    given -> given.substring(0, given.indexOf('=') + 1).equals(arg.substring(0, arg.indexOf('=') + 1)));
            arguments.add(arg);
        });
        ConfigurableApplicationContext context =
                new SpringApplicationBuilder(FerryApplication.class).run(arguments.toArray(String[]::new));
        return new StandaloneFerry(context, port, database);
    }

    public URI tokenEndpoint() {
        return uri("/token");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() {
        context.close();
    }
}
