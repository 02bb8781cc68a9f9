package dev.ferry.bench;

import dev.ferry.config.FerryProperties;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Ferry's settings bound the way Spring Boot binds them, with every default, for benchmarks that run without Spring. */
public final class Settings {

    private Settings() {}

    /** {@code ferry.*} with the defaults of {@link FerryProperties}, overridden by {@code properties}. */
    public static FerryProperties ferry(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("ferry", Bindable.of(FerryProperties.class));
    }

    /** {@code ferry.*} with its defaults. */
    public static FerryProperties ferry() {
        return ferry(Map.of());
    }
}
