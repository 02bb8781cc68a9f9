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
 * {@code iss}, {@code sub} and {@code jti} of the exchanged token; for a token bound to a DPoP key,
 * {@code cnf: {"jkt": <the key's RFC 7638 thumbprint>}} (RFC 9449 §6.1), and its type is {@code DPoP}. Nimbus signs directly (rather
 * than Spring's {@code NimbusJwtEncoder}) because Spring's algorithm enum lacks EdDSA.
 *
 * <p>With {@code ferry.keys.max-concurrent-signatures} set, at most that many signatures are
 * computed at a time and further exchanges wait their turn in arrival order. When many more threads
 * sign than there are cores, the scheduler's time slices of several milliseconds land in the middle
 * of signatures, which shows in the tail latency. On two cores, a limit of 3 halved p99 at 8
 * connections on Java 17 (a quarter less on Java 25), and cost 13-24 % of the peak rate at 32
 * (docs/performance.md).
 */
@Component
public class TokenMinter {

    private final SigningKeys keys;
    private final String issuer;
    private final Clock clock;
    /** Turns to sign, in arrival order; null when signatures are not limited. */
    private final Semaphore signing;

    TokenMinter(SigningKeys keys, FerryProperties properties, Clock clock) {
        this.keys = keys;
        this.issuer = properties.issuerId();
        this.clock = clock;
        int limit = properties.keys().maxConcurrentSignatures();
        this.signing = limit > 0 ? new Semaphore(limit, true) : null;
    }

    public IssuedToken mint(MintRequest request) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String tokenId = UUID.randomUUID().toString();
        JWTClaimsSet claims = claims(request, now, tokenId);
        SigningKeys.KeyRing ring = keys.ring();
        SignedJWT jwt = new SignedJWT(ring.header(), claims);
        if (signing != null) {
            signing.acquireUninterruptibly();
        }
        try {
            jwt.sign(ring.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException(
                    "signing failed with key " + ring.active().getKeyID(), e);
        } finally {
            if (signing != null) {
                signing.release();
            }
        }
        return new IssuedToken(
                jwt.serialize(),
                tokenId,
                (String) claims.getClaim("scope"),
                now,
                now.plus(request.lifetime()),
                request.dpopJkt() == null ? IssuedToken.BEARER : IssuedToken.DPOP);
    }

    /** The claims {@link #mint} would sign now, for operators' dry runs; {@code jti} is left out (it is drawn at issue). */
    public Map<String, Object> preview(MintRequest request) {
        return claims(request, clock.instant().truncatedTo(ChronoUnit.SECONDS), null)
                .toJSONObject();
    }

    private JWTClaimsSet claims(MintRequest request, Instant now, String tokenId) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        request.carriedClaims().forEach(claims::claim);
        // Set (or cleared) after the carried claims: only Ferry asserts a binding.
        claims.claim("cnf", request.dpopJkt() == null ? null : Map.of("jkt", request.dpopJkt()));
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
