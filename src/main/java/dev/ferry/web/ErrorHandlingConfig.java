package dev.ferry.web;

import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Where errors that never reach a controller are answered in the endpoint's format: a database
 * outage met by the security filters, a URL Spring Security's firewall refuses, a request Tomcat
 * refuses before Ferry sees it.
 */
@Configuration(proxyBeanMethods = false)
class ErrorHandlingConfig {

    /** Around the security filters, so a database outage they meet first is a 503 too. */
    @Bean
    FilterRegistrationBean<DatabaseUnavailableFilter> databaseUnavailableFilter() {
        FilterRegistrationBean<DatabaseUnavailableFilter> registration =
                new FilterRegistrationBean<>(new DatabaseUnavailableFilter());
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }

    /**
     * A request Spring Security's firewall refuses (a {@code ;} or an encoded {@code .} or line break in
     * its path, say) is a 400 in the endpoint's format ({@link ErrorResponses}), not Spring Boot's error page.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, rejected) -> ErrorResponses.write(
                request,
                response,
                HttpServletResponse.SC_BAD_REQUEST,
                "urn:ferry:problem:malformed-request",
                "Malformed request",
                "the request's URL or headers hold characters Ferry refuses",
                null);
    }

    /** Requests Tomcat refuses before Ferry sees them are answered in JSON too ({@link JsonErrorReportValve}). */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReports() {
        return factory -> factory.addContextCustomizers(context ->
                ((StandardHost) context.getParent()).setErrorReportValveClass(JsonErrorReportValve.class.getName()));
    }
}
