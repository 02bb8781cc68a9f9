package dev.ferry.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.Arrays;
import java.util.List;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI description served at {@code /v3/api-docs} (and Swagger UI at {@code /swagger-ui.html});
 * {@code springdoc.api-docs.enabled=false} and {@code springdoc.swagger-ui.enabled=false} switch them
 * off. A copy is kept in docs/openapi.yaml, and a test fails when the two drift apart.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    static final String ADMIN_AUTH = "adminBearer";
    static final String PROBLEM = "Problem";

    static {
        // Free-form JSON (claims, JWK sets, decision traces) is described as what it is: any JSON object.
        SpringDocUtils.getConfig()
                .replaceWithSchema(JsonNode.class, new ObjectSchema())
                .replaceWithSchema(ObjectNode.class, new ObjectSchema());
    }

    @Bean
    OpenAPI ferryOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Ferry")
                        .version("v1")
                        .description(
                                "OAuth 2.0 token exchange (RFC 8693) for CI jobs: an OIDC ID token in, a short-lived, "
                                        + "narrowly scoped access token (RFC 9068) out. /token, /.well-known/* are for CI jobs and "
                                        + "gateways; /admin/v1 is for operators (bearer: the bootstrap token or a Ferry token for "
                                        + "ferry.admin.audience with scope ferry:admin or ferry:read)."))
                .servers(List.of(new Server().url("/").description("this Ferry")))
                .components(new Components()
                        .addSecuritySchemes(
                                ADMIN_AUTH,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description(
                                                "The bootstrap token, or a Ferry access token whose aud holds ferry.admin.audience"))
                        .addSchemas(
                                PROBLEM,
                                new ObjectSchema()
                                        .description(
                                                "RFC 9457 problem details; type is a stable urn:ferry:problem:* URI")
                                        .addProperty(
                                                "type", new StringSchema().example("urn:ferry:problem:invalid-field"))
                                        .addProperty("title", new StringSchema())
                                        .addProperty("status", new IntegerSchema())
                                        .addProperty("detail", new StringSchema())
                                        .addProperty("instance", new StringSchema())
                                        .addProperty(
                                                "field",
                                                new StringSchema()
                                                        .description("the field at fault, where there is one"))));
    }

    /**
     * Every admin operation requires the admin bearer token, and may answer the admin API's errors,
     * as problem details: those of any operation, and those of its kind (a path variable, a write, a
     * replace).
     */
    @Bean
    OperationCustomizer adminSecurity() {
        return (operation, handler) -> {
            if (!handler.getBeanType().getPackageName().endsWith(".admin")) {
                return operation;
            }
            operation.addSecurityItem(new SecurityRequirement().addList(ADMIN_AUTH));
            if (operation.getResponses() == null) {
                operation.setResponses(new ApiResponses());
            }
            problem(
                    operation,
                    "400",
                    "invalid-field, malformed-body or malformed-request: the request is at fault, field names where");
            bare(
                    operation,
                    "401",
                    "no credentials, or not valid ones: no body, WWW-Authenticate says which (RFC 6750)");
            bare(
                    operation,
                    "403",
                    "the token's scope does not allow this (ferry:read is GET and evaluate only): no body, WWW-Authenticate");
            if (Arrays.stream(handler.getMethodParameters())
                    .anyMatch(p -> p.hasParameterAnnotation(PathVariable.class))) {
                problem(operation, "404", "not-found: no such resource");
            }
            // POST /admin/v1/evaluate is a POST that writes nothing.
            boolean write = (handler.hasMethodAnnotation(PostMapping.class)
                            || handler.hasMethodAnnotation(PutMapping.class)
                            || handler.hasMethodAnnotation(DeleteMapping.class))
                    && !handler.getBeanType().getSimpleName().equals("EvaluateController");
            if (write) {
                problem(
                        operation,
                        "409",
                        "conflict: the change conflicts with what is stored (a name taken, an issuer that still has rules, a concurrent write)");
            }
            if (handler.hasMethodAnnotation(PutMapping.class)) {
                problem(operation, "412", "precondition-failed: If-Match names a version that is no longer current");
            }
            problem(operation, "503", "unavailable: the database cannot be reached; Retry-After says when to retry");
            return operation;
        };
    }

    private static void bare(Operation operation, String status, String description) {
        if (!operation.getResponses().containsKey(status)) {
            operation.getResponses().addApiResponse(status, new ApiResponse().description(description));
        }
    }

    private static void problem(Operation operation, String status, String description) {
        if (!operation.getResponses().containsKey(status)) {
            operation
                    .getResponses()
                    .addApiResponse(
                            status,
                            new ApiResponse()
                                    .description(description)
                                    .content(new Content()
                                            .addMediaType(
                                                    "application/problem+json",
                                                    new MediaType()
                                                            .schema(new Schema<>()
                                                                    .$ref("#/components/schemas/" + PROBLEM)))));
        }
    }
}
