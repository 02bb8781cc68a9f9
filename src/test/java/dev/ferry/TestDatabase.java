package dev.ferry;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Which database the integration suite runs on. Maven's default test run uses the embedded H2; its
 * {@code postgresql} execution sets {@code -Dferry.test.database=postgresql} and runs the same suite
 * on the server named by {@code FERRY_TEST_POSTGRES_URL}, in a schema of its own that is dropped and
 * recreated at the start of the run. Without that variable the PostgreSQL run is skipped, visibly.
 */
public enum TestDatabase {
    H2,
    POSTGRESQL;

    public static final String URL_VARIABLE = "FERRY_TEST_POSTGRES_URL";
    static final String SCHEMA = "ferry_it";
    private static boolean schemaReset;

    public boolean selected() {
        String chosen = System.getProperty("ferry.test.database", "h2");
        return name().equalsIgnoreCase(chosen);
    }

    /** Disables the integration suite's PostgreSQL run when there is no server to use; reported as skipped. */
    public static final class Available implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (POSTGRESQL.selected() && System.getenv(URL_VARIABLE) == null) {
                return ConditionEvaluationResult.disabled(
                        URL_VARIABLE + " is not set: the PostgreSQL integration run is skipped");
            }
            return ConditionEvaluationResult.enabled("database available");
        }
    }

    /** The server's URL with {@link #SCHEMA} as the current schema, reset once per run. */
    static synchronized String postgresUrl() {
        if (!schemaReset) {
            dropSchema(SCHEMA);
            schemaReset = true;
        }
        return urlWithSchema(SCHEMA);
    }

    /** A fresh schema of the PostgreSQL server for one test class; dropped first if it exists. */
    public static String freshPostgresSchema(String schema) {
        dropSchema(schema);
        return urlWithSchema(schema);
    }

    private static String urlWithSchema(String schema) {
        String base = System.getenv(URL_VARIABLE);
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static void dropSchema(String schema) {
        try (Connection connection = DriverManager.getConnection(System.getenv(URL_VARIABLE));
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + schema + " cascade");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare PostgreSQL at " + URL_VARIABLE + ": " + e.getMessage(), e);
        }
    }
}
