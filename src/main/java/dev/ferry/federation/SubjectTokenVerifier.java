package dev.ferry.federation;

import static dev.ferry.federation.SubjectTokenRejected.Reason.ALGORITHM_NOT_ALLOWED;
import static dev.ferry.federation.SubjectTokenRejected.Reason.BAD_SIGNATURE;
import static dev.ferry.federation.SubjectTokenRejected.Reason.CRITICAL_HEADER;
import static dev.ferry.federation.SubjectTokenRejected.Reason.DISABLED_ISSUER;
import static dev.ferry.federation.SubjectTokenRejected.Reason.EXPIRED;
import static dev.ferry.federation.SubjectTokenRejected.Reason.INVALID_CLAIM;
import static dev.ferry.federation.SubjectTokenRejected.Reason.ISSUED_IN_FUTURE;
import static dev.ferry.federation.SubjectTokenRejected.Reason.MALFORMED;
import static dev.ferry.federation.SubjectTokenRejected.Reason.NOT_YET_VALID;
import static dev.ferry.federation.SubjectTokenRejected.Reason.TOO_OLD;
import static dev.ferry.federation.SubjectTokenRejected.Reason.UNKNOWN_ISSUER;
import static dev.ferry.federation.SubjectTokenRejected.Reason.WRONG_AUDIENCE;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import dev.ferry.config.FerryProperties;
import dev.ferry.core.ClaimPath;
import dev.ferry.core.JwsVerifiers;
import dev.ferry.web.CallerText;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one place that validates subject tokens, as an ordered chain of named checks, cheapest first
 * (RFC 8725 §3; docs/architecture.md). A check that cannot be completed refuses the token: there is
 * no path to success that skips a step.
 *
 * <ol>
 *   <li>structure: size, three parts, canonical base64url, strict JSON, no {@code alg: none}
 *       ({@link CompactJws}); a JWS header Nimbus reads, without {@code crit} parameters (RFC 7515 §4.1.11)
 *   <li>issuer: the unverified {@code iss} must name a configured, enabled issuer exactly
 *   <li>algorithm: {@code alg} in the issuer's allow-list (RFC 8725 §3.1)
 *   <li>key: from the issuer's JWKS by {@code kid} ({@link IssuerKeySelector})
 *   <li>signature (RFC 7515 §5.2)
 *   <li>times: {@code exp} and {@code iat} required, {@code nbf} honoured, with the issuer's clock skew,
 *       and the optional maximum token age (RFC 7519 §4.1.4–4.1.6)
 *   <li>audience: {@code aud} must hold one of the issuer's accepted audiences (RFC 7519 §4.1.3)
 *   <li>subject: a non-empty string {@code sub}
 *   <li>replay: when the issuer asks for it, each {@code jti} once ({@link ReplayGuard}); run by
 *       {@link #useOnce} after the policy has granted the exchange
 * </ol>
 *
 * Checks 2 to 5 refuse with one description for all ({@link SubjectTokenRejected#UNTRUSTED}), so an
 * unsigned token cannot find out which issuers Ferry trusts.
 */
@Component
public class SubjectTokenVerifier {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final IssuerRegistry registry;
    private final ReplayGuard replayGuard;
    private final long maxTokenBytes;
    private final Map<JWK, JWSVerifier> verifiers = new ConcurrentHashMap<>();

    SubjectTokenVerifier(IssuerRegistry registry, ReplayGuard replayGuard, FerryProperties properties) {
        this.registry = registry;
        this.replayGuard = replayGuard;
        this.maxTokenBytes = properties.token().subjectTokenMaxSize().toBytes();
    }

    /**
     * Runs checks 1 to 8 on {@code subjectToken} as of {@code now}. Uses nothing up, so operators' dry
     * runs call it too, with {@code now} in the past to see how a token fared when it was presented.
     */
    public VerifiedSubjectToken verify(String subjectToken, Instant now) throws SubjectTokenRejected {
        CompactJws jws = CompactJws.parse(subjectToken, maxTokenBytes);
        JWSHeader header = header(jws);
        TrustedIssuer issuer = issuerOf(jws.payload());
        try {
            checkAlgorithm(header, issuer);
            checkSignature(jws, header, IssuerKeySelector.select(issuer, header));
            ObjectNode claims = jws.payload();
            Instant expiresAt = checkTimes(claims, issuer, now);
            checkAudience(claims, issuer);
            String subject = requireString(claims, "sub");
            String jwtId = optionalString(claims, "jti");
            if (issuer.replayProtection()) {
                ReplayGuard.requireJwtId(issuer, jwtId);
            }
            return new VerifiedSubjectToken(
                    issuer.name(),
                    issuer.issuerUrl(),
                    subject,
                    jwtId,
                    expiresAt,
                    claims,
                    carried(claims, issuer),
                    issuer.replayProtection());
        } catch (SubjectTokenRejected e) {
            throw e.issuerName() == null ? e.forIssuer(issuer.name()) : e;
        }
    }

    /**
     * Check 9, replay: when the token's issuer asked for replay protection as the token was verified,
     * uses up the token's {@code jti}, or refuses it if it was used before. Called once the exchange is
     * granted, so a mistyped target or scope does not burn a CI job's one-time token. The issuer is not
     * looked up again: an issuer edited or removed in between must not let a token through unchecked.
     */
    public void useOnce(VerifiedSubjectToken token) throws SubjectTokenRejected {
        if (!token.replayProtection()) {
            return;
        }
        try {
            replayGuard.claim(token.issuerName(), token.jwtId(), token.expiresAt());
        } catch (SubjectTokenRejected e) {
            throw e.forIssuer(token.issuerName());
        }
    }

    /**
     * Undoes a {@link #useOnce} that went through, for an exchange that was granted but not completed
     * (no token was returned), so the same subject token may be presented again. Whether there is a
     * {@code jti} to give back is what {@code useOnce} went by: the token's {@code replayProtection},
     * not the issuer's settings now.
     */
    public void giveBack(VerifiedSubjectToken token) {
        if (token.replayProtection()) {
            replayGuard.release(token.issuerName(), token.jwtId());
        }
    }

    private TrustedIssuer issuerOf(ObjectNode payload) throws SubjectTokenRejected {
        String iss = requireString(payload, "iss");
        TrustedIssuer issuer = registry.byUrl(iss);
        if (issuer == null) {
            throw new SubjectTokenRejected(
                    UNKNOWN_ISSUER, "issuer " + CallerText.shown(iss) + " is not trusted by this Ferry");
        }
        requireEnabled(issuer);
        return issuer;
    }

    static void requireEnabled(TrustedIssuer issuer) throws SubjectTokenRejected {
        if (!issuer.enabled()) {
            throw new SubjectTokenRejected(
                    DISABLED_ISSUER, issuer.name(), "issuer '" + issuer.name() + "' is disabled", null);
        }
    }

    /** The JWS header, read before the issuer is looked up: what is wrong with it depends on the token alone. */
    private static JWSHeader header(CompactJws jws) throws SubjectTokenRejected {
        JWSHeader header;
        try {
            header = JWSHeader.parse(
                    jws.headerJson(),
                    Base64URL.from(
                            jws.signingInput().substring(0, jws.signingInput().indexOf('.'))));
        } catch (ParseException e) {
            throw new SubjectTokenRejected(MALFORMED, "subject_token header is not a valid JWS header");
        }
        if (jws.header().has("crit")) {
            throw new SubjectTokenRejected(
                    CRITICAL_HEADER, "subject_token has critical header parameters Ferry does not understand");
        }
        return header;
    }

    private static void checkAlgorithm(JWSHeader header, TrustedIssuer issuer) throws SubjectTokenRejected {
        if (!issuer.algorithms().contains(header.getAlgorithm())) {
            throw new SubjectTokenRejected(
                    ALGORITHM_NOT_ALLOWED,
                    "algorithm " + CallerText.shown(header.getAlgorithm().getName()) + " is not accepted from issuer '"
                            + issuer.name() + "'");
        }
    }

    private void checkSignature(CompactJws jws, JWSHeader header, JWK key) throws SubjectTokenRejected {
        boolean valid;
        try {
            valid = verifierFor(key)
                    .verify(
                            header,
                            jws.signingInput().getBytes(StandardCharsets.US_ASCII),
                            new Base64URL(jws.signaturePart()));
        } catch (JOSEException e) {
            valid = false;
        }
        if (!valid) {
            throw new SubjectTokenRejected(BAD_SIGNATURE, "subject_token signature is invalid");
        }
    }

    /** Verifiers are built once per key: building one checks the key (an EC point on its curve, say). */
    private JWSVerifier verifierFor(JWK key) throws JOSEException {
        JWSVerifier cached = verifiers.get(key);
        if (cached != null) {
            return cached;
        }
        if (verifiers.size() > 1_000) {
            verifiers.clear();
        }
        JWSVerifier verifier = JwsVerifiers.forKey(key);
        verifiers.put(key, verifier);
        return verifier;
    }

    private static Instant checkTimes(ObjectNode claims, TrustedIssuer issuer, Instant now)
            throws SubjectTokenRejected {
        Instant expiresAt = requireTime(claims, "exp");
        Instant issuedAt = requireTime(claims, "iat");
        Instant notBefore = claims.has("nbf") ? requireTime(claims, "nbf") : null;
        if (!now.isBefore(expiresAt.plus(issuer.clockSkew()))) {
            throw new SubjectTokenRejected(EXPIRED, "subject_token expired at " + expiresAt);
        }
        if (notBefore != null && now.plus(issuer.clockSkew()).isBefore(notBefore)) {
            throw new SubjectTokenRejected(NOT_YET_VALID, "subject_token is not valid before " + notBefore);
        }
        if (now.plus(issuer.clockSkew()).isBefore(issuedAt)) {
            throw new SubjectTokenRejected(
                    ISSUED_IN_FUTURE, "subject_token is issued in the future (iat " + issuedAt + "); check clocks");
        }
        if (issuer.maxTokenAge() != null
                && now.isAfter(issuedAt.plus(issuer.maxTokenAge()).plus(issuer.clockSkew()))) {
            throw new SubjectTokenRejected(
                    TOO_OLD,
                    "subject_token was issued at " + issuedAt + ", longer ago than issuer '" + issuer.name()
                            + "' accepts");
        }
        return expiresAt;
    }

    private static void checkAudience(ObjectNode claims, TrustedIssuer issuer) throws SubjectTokenRejected {
        JsonNode aud = claims.get("aud");
        if (aud != null && aud.isString() && issuer.acceptedAudiences().contains(aud.stringValue())) {
            return;
        }
        if (aud != null && aud.isArray()) {
            for (JsonNode value : aud) {
                if (value.isString() && issuer.acceptedAudiences().contains(value.stringValue())) {
                    return;
                }
            }
        }
        String shown = aud == null ? null : aud.isString() ? aud.stringValue() : aud.toString();
        throw new SubjectTokenRejected(
                WRONG_AUDIENCE,
                "audience " + CallerText.shown(shown) + " not accepted by issuer '" + issuer.name() + "'");
    }

    static Map<String, Object> carried(ObjectNode claims, TrustedIssuer issuer) {
        Map<String, Object> carried = new LinkedHashMap<>();
        issuer.claimMappings().forEach((issued, upstream) -> {
            JsonNode value = ClaimPath.resolve(claims, upstream);
            if (!value.isMissingNode() && !value.isNull()) {
                carried.put(issued, JSON.convertValue(value, Object.class));
            }
        });
        return carried;
    }

    private static Instant requireTime(ObjectNode claims, String name) throws SubjectTokenRejected {
        JsonNode value = claims.get(name);
        if (value == null) {
            throw new SubjectTokenRejected(INVALID_CLAIM, "subject_token has no " + name + " claim");
        }
        if (!value.isNumber() || (!value.isIntegralNumber() && !Double.isFinite(value.doubleValue()))) {
            throw new SubjectTokenRejected(INVALID_CLAIM, "subject_token " + name + " must be a number of seconds");
        }
        // An integer too long for a long (or a double) is out of range, not a failure to convert it.
        if (value.isIntegralNumber() && !value.canConvertToLong()) {
            throw new SubjectTokenRejected(INVALID_CLAIM, "subject_token " + name + " is out of range");
        }
        double seconds = value.isIntegralNumber() ? value.longValue() : value.doubleValue();
        if (Math.abs(seconds) > 1e11) {
            throw new SubjectTokenRejected(INVALID_CLAIM, "subject_token " + name + " is out of range");
        }
        return Instant.ofEpochMilli((long) Math.floor(seconds * 1000));
    }

    static String requireString(ObjectNode claims, String name) throws SubjectTokenRejected {
        String value = optionalString(claims, name);
        if (value == null || value.isEmpty()) {
            throw new SubjectTokenRejected(INVALID_CLAIM, "subject_token " + name + " must be a non-empty string");
        }
        return value;
    }

    static String optionalString(ObjectNode claims, String name) throws SubjectTokenRejected {
        JsonNode value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw new SubjectTokenRejected(INVALID_CLAIM, "subject_token " + name + " must be a string");
        }
        return value.stringValue();
    }
}
