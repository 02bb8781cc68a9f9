package dev.ferry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Ferry: an OAuth 2.0 Security Token Service that exchanges CI jobs' OIDC ID tokens (RFC 8693). */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class FerryApplication {

    public static void main(String[] args) {
        SpringApplication.run(FerryApplication.class, args);
    }
}
