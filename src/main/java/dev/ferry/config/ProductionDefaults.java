package dev.ferry.config;

import jakarta.annotation.PostConstruct;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Settings that are fine for a trial on the embedded H2 and unsafe anywhere else, refused at start-up
 * on every other database (docs/configuration.md, Production): {@code ferry.issuer} left at its
 * default ({@code http://localhost:8080}, which would also be every issuer's default accepted
 * audience; setting it explicitly, as the docker-compose trial does, is a choice and allowed) and a
 * bootstrap token shorter than {@value #MIN_BOOTSTRAP_TOKEN_LENGTH} characters. The encryption key,
 * required there too, is checked where it is read.
 */
@Component
public class ProductionDefaults {

    static final String DEFAULT_ISSUER = "http://localhost:8080";
    static final int MIN_BOOTSTRAP_TOKEN_LENGTH = 32;

    private final FerryProperties properties;
    private final DataSource dataSource;
    private final Environment environment;

    ProductionDefaults(FerryProperties properties, DataSource dataSource, Environment environment) {
        this.properties = properties;
        this.dataSource = dataSource;
        this.environment = environment;
    }

    @PostConstruct
    void check() {
        if (isEmbeddedH2(dataSource)) {
            return;
        }
        if (environment.getProperty("ferry.issuer") == null) {
            throw new IllegalStateException("ferry.issuer is not set: its default " + DEFAULT_ISSUER + " is only for a"
                    + " local trial on the embedded H2. Set it to Ferry's external URL (FERRY_ISSUER=https://ferry.example.com):"
                    + " it is the iss of every token and every issuer's default accepted audience.");
        }
        String bootstrap = properties.admin().bootstrapToken();
        if (bootstrap != null && !bootstrap.isBlank() && bootstrap.length() < MIN_BOOTSTRAP_TOKEN_LENGTH) {
            throw new IllegalStateException("ferry.admin.bootstrap-token is shorter than " + MIN_BOOTSTRAP_TOKEN_LENGTH
                    + " characters, which is only allowed on the embedded H2: use a random one"
                    + " (openssl rand -base64 32), or leave it unset once CI manages Ferry with its own tokens.");
        }
    }

    /** Whether {@code dataSource} is an H2 database: the embedded trial default. */
    public static boolean isEmbeddedH2(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "H2".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database to check its kind: " + e.getMessage(), e);
        }
    }
}
