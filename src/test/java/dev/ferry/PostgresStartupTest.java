package dev.ferry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * On PostgreSQL (any database but the embedded H2) Ferry will not start with the settings that are
 * only fit for a local trial: no encryption key, {@code ferry.issuer} left at its default, a short
 * bootstrap token.
 */
@EnabledIfEnvironmentVariable(named = TestDatabase.URL_VARIABLE, matches = ".+")
class PostgresStartupTest {

    private static final String ISSUER = "--ferry.issuer=https://ferry.example.com";
    private static final String KEY = "--ferry.keys.encryption-key=" + FerryIntegrationTest.ENCRYPTION_KEY;

    @Test
    void startOnPostgresWithoutEncryptionKeyIsRefusedClearly() throws Exception {
        assertThatThrownBy(() -> start(ISSUER))
                .rootCause()
                .hasMessageContaining("ferry.keys.encryption-key is not set")
                .hasMessageContaining("required on every database but the embedded H2");
    }

    @Test
    void startOnPostgresWithTheDefaultIssuerIsRefusedClearly() throws Exception {
        assertThatThrownBy(() -> start(KEY))
                .rootCause()
                .hasMessageContaining("ferry.issuer is not set")
                .hasMessageContaining("http://localhost:8080");
    }

    @Test
    void startOnPostgresWithAShortBootstrapTokenIsRefusedClearly() throws Exception {
        assertThatThrownBy(() -> start(ISSUER, KEY, "--ferry.admin.bootstrap-token=local-admin-token"))
                .rootCause()
                .hasMessageContaining("ferry.admin.bootstrap-token is shorter than 32 characters");
    }

    private static void start(String... settings) throws Exception {
        String base = System.getenv(TestDatabase.URL_VARIABLE);
        try (Connection connection = DriverManager.getConnection(base);
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists ferry_startup cascade");
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=ferry_startup";
        List<String> args = new ArrayList<>(
                List.of("--server.port=0", "--spring.datasource.url=" + url, "--spring.flyway.schemas=ferry_startup"));
        args.addAll(List.of(settings));
        new SpringApplicationBuilder(FerryApplication.class)
                .run(args.toArray(String[]::new))
                .close();
    }
}
