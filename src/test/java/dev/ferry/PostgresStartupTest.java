package dev.ferry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** On PostgreSQL (any database but the embedded H2) Ferry will not start without an encryption key. */
@EnabledIfEnvironmentVariable(named = TestDatabase.URL_VARIABLE, matches = ".+")
class PostgresStartupTest {

    @Test
    void startOnPostgresWithoutEncryptionKeyIsRefusedClearly() throws Exception {
        String base = System.getenv(TestDatabase.URL_VARIABLE);
        try (Connection connection = DriverManager.getConnection(base);
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists ferry_startup cascade");
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=ferry_startup";

        assertThatThrownBy(() -> new SpringApplicationBuilder(FerryApplication.class)
                        .run(
                                "--server.port=0",
                                "--spring.datasource.url=" + url,
                                "--spring.flyway.schemas=ferry_startup"))
                .rootCause()
                .hasMessageContaining("ferry.keys.encryption-key is not set")
                .hasMessageContaining("required on every database but the embedded H2");
    }
}
