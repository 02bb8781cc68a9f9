package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

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
        assertThat(spec)
                .contains(
                        "/token:",
                        "/.well-known/jwks.json:",
                        "/admin/v1/issuers:",
                        "/admin/v1/rules/{name}:",
                        "/admin/v1/evaluate:",
                        "/admin/v1/audit:",
                        "/admin/v1/export:",
                        "/admin/v1/import:",
                        "TokenExchangeForm");
    }

    @Test
    void everyAdminOperationDocumentsItsErrorsAndEveryReferenceResolves() {
        JsonNode spec = get("/v3/api-docs").json();
        JsonNode schemas = spec.get("components").get("schemas");
        int adminOperations = 0;
        for (var path : spec.get("paths").properties()) {
            for (var operation : path.getValue().properties()) {
                JsonNode responses = operation.getValue().get("responses");
                String name = operation.getKey() + " " + path.getKey();
                if (path.getKey().startsWith("/admin/")) {
                    adminOperations++;
                    assertThat(responses.has("400")
                                    && responses.has("401")
                                    && responses.has("403")
                                    && responses.has("503"))
                            .as(name)
                            .isTrue();
                    assertThat(responses.get("400").get("content").has("application/problem+json"))
                            .as(name)
                            .isTrue();
                    assertThat(responses.has("409"))
                            .as(name)
                            .isEqualTo(!operation.getKey().equals("get")
                                    && !path.getKey().equals("/admin/v1/evaluate"));
                }
            }
        }
        assertThat(adminOperations).isGreaterThan(20);
        List<String> references = new ArrayList<>();
        collectReferences(spec, references);
        assertThat(references)
                .isNotEmpty()
                .allSatisfy(reference -> assertThat(schemas.has(reference.replace("#/components/schemas/", "")))
                        .as(reference)
                        .isTrue());
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.has("$ref")) {
            references.add(node.get("$ref").stringValue());
        }
        node.forEach(child -> collectReferences(child, references));
    }

    @Test
    void swaggerUiIsServed() {
        Response ui = get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
    }
}
