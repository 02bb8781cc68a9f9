package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml is the served OpenAPI description, checked in. When the API changes this test
 * fails; regenerate the file with {@code mvn -B verify -Dtest=OpenApiSpecTest -Dferry.openapi.write=true}.
 */
class OpenApiSpecTest extends FerryIntegrationTest {

    private static final Path CHECKED_IN = Path.of("docs/openapi.yaml");

    @Test
    void checkedInSpecMatchesTheServedOne() throws Exception {
        Response served = get("/v3/api-docs.yaml");
        assertThat(served.status()).isEqualTo(200);
        String spec = served.body();
        if (Boolean.getBoolean("ferry.openapi.write")) {
            Files.writeString(CHECKED_IN, spec, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
                .as("docs/openapi.yaml is out of date: rerun with -Dferry.openapi.write=true")
                .isEqualTo(spec);
    }

    @Test
    void specDescribesEveryPublicAndAdminEndpoint() {
        String spec = get("/v3/api-docs.yaml").body();
        assertThat(spec).contains("/token:", "/.well-known/jwks.json:", "/admin/v1/issuers:", "/admin/v1/rules/{name}:",
                "/admin/v1/evaluate:", "/admin/v1/audit:", "/admin/v1/export:", "/admin/v1/import:", "TokenExchangeForm");
    }

    @Test
    void swaggerUiIsServed() {
        Response ui = get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
    }
}
