package dev.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code ferry.lint.refuse}: its default, a list, and empty (docs/configuration.md, Rule linter). */
class LintPropertiesTest {

    private static FerryProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("ferry", FerryProperties.class);
    }

    @Test
    void refusesUnboundIdentityByDefault() {
        assertThat(bind(Map.of()).lint().refuse()).containsExactly("unbound-identity");
    }

    @Test
    void takesAListAndAnEmptyValueRefusesNothing() {
        assertThat(bind(Map.of("ferry.lint.refuse", "unbound-identity,template-not-delimited"))
                        .lint()
                        .refuse())
                .containsExactly("unbound-identity", "template-not-delimited");
        assertThat(bind(Map.of("ferry.lint.refuse", "")).lint().refuse()).isEmpty();
    }
}
