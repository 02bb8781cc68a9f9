package dev.ferry.config;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import dev.ferry.token.SigningKeys;
import java.util.List;
import java.util.Set;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Validates Ferry's own access tokens presented to the admin API, exactly as a gateway would
 * (RFC 9068 §4): signed by one of Ferry's published keys (read in memory, no HTTP round trip),
 * {@code typ: at+jwt}, {@code iss} = {@code ferry.issuer}, {@code aud} containing
 * {@code ferry.admin.audience}, and within {@code nbf}/{@code exp}.
 */
final class AdminTokenDecoder {

    private static final Set<JWSAlgorithm> ALGORITHMS =
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA);

    private AdminTokenDecoder() {}

    static JwtDecoder create(SigningKeys keys, FerryProperties properties) {
        JWKSource<SecurityContext> published = (selector, context) -> selector.select(keys.publishedKeys());
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(published)
                .jwtProcessorCustomizer(processor -> processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, published)))
                .build();
        String audience = properties.adminAudience();
        OAuth2TokenValidator<Jwt> audienceValidator =
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience));
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
                List.of(new JwtTypeValidator("at+jwt"), new JwtIssuerValidator(properties.issuerId()), audienceValidator)));
        return decoder;
    }
}
