package dev.ferry.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.media.ObjectSchema;
import java.util.List;
import org.springdoc.core.utils.SpringDocUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description served at {@code /v3/api-docs} (and Swagger UI at {@code /swagger-ui.html});
 * {@code springdoc.api-docs.enabled=false} and {@code springdoc.swagger-ui.enabled=false} switch them
 * off. A copy is kept in docs/openapi.yaml, and a test fails when the two drift apart.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    static final String ADMIN_AUTH = "adminBearer";

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
                        .description("OAuth 2.0 token exchange (RFC 8693) for CI jobs: an OIDC ID token in, a short-lived, "
                                + "narrowly scoped access token (RFC 9068) out. /token, /.well-known/* are for CI jobs and "
                                + "gateways; /admin/v1 is for operators (bearer: the bootstrap token or a Ferry token for "
                                + "ferry.admin.audience with scope ferry:admin or ferry:read)."))
                .servers(List.of(new Server().url("/").description("this Ferry")))
                .components(new Components().addSecuritySchemes(ADMIN_AUTH, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("The bootstrap token, or a Ferry access token whose aud holds ferry.admin.audience")));
    }

    /** Every admin operation requires the admin bearer token. */
    @Bean
    OperationCustomizer adminSecurity() {
        return (operation, handler) -> {
            if (handler.getBeanType().getPackageName().endsWith(".admin")) {
                operation.addSecurityItem(new SecurityRequirement().addList(ADMIN_AUTH));
            }
            return operation;
        };
    }
}
