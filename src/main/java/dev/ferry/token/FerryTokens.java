package dev.ferry.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import dev.ferry.config.FerryProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Validates Ferry's own access tokens exactly as a gateway would (RFC 9068 §4): signed by one of
 * Ferry's published keys (read in memory, no HTTP round trip), {@code typ: at+jwt},
 * {@code iss} = {@code ferry.issuer}, within {@code nbf}/{@code exp}, and, where asked, an {@code aud}
 * holding the given audience; and not revoked. The admin API, introspection and revocation all use it.
 */
@Component
public class FerryTokens {

    private static final Set<JWSAlgorithm> ALGORITHMS =
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA);

    private final SigningKeys keys;
    private final Revocations revocations;
    private final FerryProperties properties;
    private final java.time.Clock clock;

    FerryTokens(SigningKeys keys, Revocations revocations, FerryProperties properties, java.time.Clock clock) {
        this.keys = keys;
        this.revocations = revocations;
        this.properties = properties;
        this.clock = clock;
    }

    /** A decoder for tokens whose {@code aud} holds {@code audience}, or any audience when null. */
    public JwtDecoder decoder(String audience) {
        JWKSource<SecurityContext> published = (selector, context) -> selector.select(keys.publishedKeys());
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(published)
                .jwtProcessorCustomizer(processor ->
                        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, published)))
                .build();
        // nbf with the validators' 60 s of skew: another replica, whose clock may run ahead, may have
        // minted the token. exp without any: Ferry's own clock says when its tokens are expired.
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setClock(clock);
        JwtClaimValidator<Instant> notExpired = new JwtClaimValidator<>(
                JwtClaimNames.EXP, exp -> exp != null && clock.instant().isBefore(exp));
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>(List.of(
                new JwtTypeValidator("at+jwt"), new JwtIssuerValidator(properties.issuerId()), timestamps, notExpired));
        if (audience != null) {
            validators.add(new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)));
        }
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(validators));
        return token -> {
            Jwt jwt = decoder.decode(token);
            if (revocations.isRevoked(jwt)) {
                throw new BadJwtException("the token has been revoked");
            }
            return jwt;
        };
    }
}
