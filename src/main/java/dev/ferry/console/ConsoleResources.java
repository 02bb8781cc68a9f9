package dev.ferry.console;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the console's static files from {@code classpath:/console/} (they ship in the jar: no
 * front-end build). {@code no-cache}: browsers revalidate (Last-Modified) so an upgraded Ferry never
 * runs yesterday's modules.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "ferry.console.enabled", matchIfMissing = true)
class ConsoleResources implements WebMvcConfigurer {

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/console/**")
                .addResourceLocations("classpath:/console/")
                .setCacheControl(CacheControl.noCache());
    }
}
