package dev.ferry.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.config.FerryProperties;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.springframework.stereotype.Component;

/**
 * The one place that mints: RFC 9068 JWT access tokens ({@code typ: at+jwt}) signed with the active key.
 *
 * <p>Claims: {@code iss} ({@code ferry.issuer}), {@code sub} = {@code <issuer name>:<upstream sub>},
 * {@code aud} (the one target), {@code exp}, {@code iat}, {@code nbf}, {@code jti}, {@code scope},
 * {@code client_id} (the issuer name), the issuer's mapped claims, and {@code upstream}: the
 * {@code iss}, {@code sub} and {@code jti} of the exchanged token. Nimbus signs directly (rather
 * than Spring's {@code NimbusJwtEncoder}) because Spring's algorithm enum lacks EdDSA.
 *
 * <p>Signatures are computed by at most one thread more than there are processors at a time;
 * further exchanges wait their turn in arrival order. A signature is the longest stretch of CPU in an
 * exchange (about half a millisecond for ES256 on Java 17). When many more threads sign at once than
 * there are cores, the scheduler takes turns among them in slices of milliseconds, and some
 * signatures wait out several slices halfway through: on two cores with 8 connections, p99 fell from
 * 21 ms to 11 ms with this limit, and the rate rose by 6 % (docs/performance.md). The one extra
 * permit keeps a core from idling while the next waiter wakes up.
 */
@Component
public class TokenMinter {

    private final SigningKeys keys;
    private final String issuer;
    private final Clock clock;
    private final Semaphore signing = new Semaphore(Runtime.getRuntime().availableProcessors() + 1, true);

    TokenMinter(SigningKeys keys, FerryProperties properties, Clock clock) {
        this.keys = keys;
        this.issuer = properties.issuerId();
        this.clock = clock;
    }

    public IssuedToken mint(MintRequest request) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String tokenId = UUID.randomUUID().toString();
        JWTClaimsSet claims = claims(request, now, tokenId);
        SigningKeys.KeyRing ring = keys.ring();
        SignedJWT jwt = new SignedJWT(ring.header(), claims);
        signing.acquireUninterruptibly();
        try {
            jwt.sign(ring.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed with key " + ring.active().getKeyID(), e);
        } finally {
            signing.release();
        }
        return new IssuedToken(jwt.serialize(), tokenId, (String) claims.getClaim("scope"), now, now.plus(request.lifetime()));
    }

    /** The claims {@link #mint} would sign now, for operators' dry runs; {@code jti} is left out (it is drawn at issue). */
    public Map<String, Object> preview(MintRequest request) {
        return claims(request, clock.instant().truncatedTo(ChronoUnit.SECONDS), null).toJSONObject();
    }

    private JWTClaimsSet claims(MintRequest request, Instant now, String tokenId) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        request.carriedClaims().forEach(claims::claim);
        return claims.issuer(issuer)
                .subject(request.issuerName() + ":" + request.upstreamSubject())
                .audience(request.audience())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(request.lifetime())))
                .jwtID(tokenId)
                .claim("scope", String.join(" ", request.scopes()))
                .claim("client_id", request.issuerName())
                .claim("upstream", upstream(request))
                .build();
    }

    private static Map<String, Object> upstream(MintRequest request) {
        Map<String, Object> upstream = new LinkedHashMap<>();
        upstream.put("iss", request.upstreamIssuer());
        upstream.put("sub", request.upstreamSubject());
        if (request.upstreamJwtId() != null) {
            upstream.put("jti", request.upstreamJwtId());
        }
        return upstream;
    }
}
