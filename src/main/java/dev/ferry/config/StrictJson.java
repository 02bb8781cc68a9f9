package dev.ferry.config;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.MapperBuilder;

/**
 * What the admin API and definition files read is what was written: a member given twice is refused
 * (not the last one silently kept: a repeated {@code "rules"} in an import with {@code prune} would
 * delete every rule), and so are values of the wrong JSON type ({@code 600.5} for a whole number of
 * seconds, {@code "true"} or {@code 1} for a boolean) instead of being converted.
 */
@Configuration(proxyBeanMethods = false)
public class StrictJson {

    /** {@code builder} with the strict reading this class describes. */
    public static <M extends tools.jackson.databind.ObjectMapper, B extends MapperBuilder<M, B>> B strict(B builder) {
        return builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
    }

    /** Spring MVC's JSON mapper: the admin API's request bodies. */
    @Bean
    JsonMapperBuilderCustomizer strictJsonReading() {
        return StrictJson::strict;
    }
}
