package dev.ferry.dpop;

import static dev.ferry.dpop.DpopProofRejected.Reason.ALGORITHM_NOT_ALLOWED;
import static dev.ferry.dpop.DpopProofRejected.Reason.BAD_SIGNATURE;
import static dev.ferry.dpop.DpopProofRejected.Reason.CRITICAL_HEADER;
import static dev.ferry.dpop.DpopProofRejected.Reason.HEADER_COUNT;
import static dev.ferry.dpop.DpopProofRejected.Reason.ISSUED_IN_FUTURE;
import static dev.ferry.dpop.DpopProofRejected.Reason.MALFORMED;
import static dev.ferry.dpop.DpopProofRejected.Reason.MISSING_CLAIM;
import static dev.ferry.dpop.DpopProofRejected.Reason.NONCE;
import static dev.ferry.dpop.DpopProofRejected.Reason.TOO_OLD;
import static dev.ferry.dpop.DpopProofRejected.Reason.UNSUITABLE_KEY;
import static dev.ferry.dpop.DpopProofRejected.Reason.WRONG_METHOD;
import static dev.ferry.dpop.DpopProofRejected.Reason.WRONG_TYPE;
import static dev.ferry.dpop.DpopProofRejected.Reason.WRONG_URI;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.config.FerryProperties;
import dev.ferry.config.SigningAlgorithm;
import dev.ferry.core.JwsVerifiers;
import dev.ferry.web.CallerText;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The one place that validates DPoP proofs (RFC 9449 §4.3), those of {@code POST /token}: an ordered
 * chain of named checks, cheapest first, where a check that cannot be completed refuses the proof. It
 * stands beside the subject token's verifier, not inside it: the subject token says who the caller is,
 * the proof which key the issued token is bound to. Built from Nimbus JOSE's parts (JWK parsing,
 * signature verifiers, RFC 7638 thumbprints); the chain is Ferry's own so that each check has its
 * precise answer, the clock is the injected one, {@code htu} is compared after RFC 3986 normalization,
 * nonces of two time slots are accepted, and the one database write, the {@code jti}, comes last.
 *
 * <ol>
 *   <li>one header: exactly one {@code DPoP} header, holding one value (check 1)
 *   <li>structure: at most {@value #MAX_PROOF_CHARS} characters, three dot-separated parts, a JSON
 *       header (check 2)
 *   <li>type: {@code typ} is {@code dpop+jwt} (check 4)
 *   <li>algorithm: {@code alg} is one of {@code ferry.dpop.algorithms}, all asymmetric; {@code none} and
 *       MACs are refused (check 5); no {@code crit} parameters (RFC 7515 §4.1.11)
 *   <li>key: a {@code jwk} header holding a public key, no private or symmetric one (check 7), of the
 *       type {@code alg} needs (RSA at least 2048 bits)
 *   <li>signature with that key (check 6)
 *   <li>method: {@code htm} is {@code POST} (check 8)
 *   <li>URI: {@code htu} is the token endpoint, {@code ferry.issuer} + {@code /token}, the URL clients
 *       use whatever proxy stands in front of Ferry (check 9)
 *   <li>time: {@code iat} at most {@code ferry.dpop.proof-max-age} old and {@code ferry.dpop.clock-skew}
 *       ahead (check 11)
 *   <li>{@code jti}: present (§4.2)
 *   <li>nonce: with {@code ferry.dpop.nonce=required}, one Ferry gave out, still current
 *       ({@link DpopNonces}; check 10); refused as {@code use_dpop_nonce}
 *   <li>replay: the {@code jti} not used before with this key, on any replica ({@link ProofReplayGuard}; §11.1),
 *       checked by {@link #useOnce} once the decision is known, granted or refused
 * </ol>
 */
@Component
public class DpopProofVerifier {

    /** The request header that carries the proof (RFC 9449 §4.1). */
    public static final String HEADER = "DPoP";

    /** The method of the one endpoint proofs are verified for. */
    static final String TOKEN_METHOD = "POST";

    static final int MAX_PROOF_CHARS = 8192;
    private static final String TYPE = "dpop+jwt";
    private static final int MIN_RSA_BITS = 2048;

    private final Set<JWSAlgorithm> algorithms;
    private final String tokenEndpoint;
    private final Duration maxAge;
    private final Duration clockSkew;
    private final ProofReplayGuard replayGuard;
    private final DpopNonces nonces;

    DpopProofVerifier(FerryProperties properties, ProofReplayGuard replayGuard, DpopNonces nonces) {
        this.algorithms = properties.dpop().algorithms().stream()
                .map(SigningAlgorithm::jwsAlgorithm)
                .collect(Collectors.toUnmodifiableSet());
        this.tokenEndpoint = HttpTargetUri.normalized(tokenEndpoint(properties));
        if (tokenEndpoint == null) {
            throw new IllegalStateException("ferry.issuer must be an absolute http(s) URL with a host that RFC 3986"
                    + " allows (no underscore): DPoP proofs name the token endpoint under it, not "
                    + tokenEndpoint(properties));
        }
        this.maxAge = properties.dpop().proofMaxAge();
        this.clockSkew = properties.dpop().clockSkew();
        this.replayGuard = replayGuard;
        this.nonces = nonces;
    }

    /** The URL clients send proofs for: the token endpoint under {@code ferry.issuer}, as the metadata gives it. */
    public static String tokenEndpoint(FerryProperties properties) {
        return properties.issuerId() + "/token";
    }

    /**
     * Runs every check on the {@code DPoP} header values of a {@code POST /token}, as of {@code now}, but
     * the one on the proof's {@code jti}, which {@link #useOnce} runs once the decision is known.
     *
     * @param headerValues every {@code DPoP} header of the request, in order
     * @return empty when the request carried no {@code DPoP} header
     */
    public Optional<VerifiedDpopProof> verify(List<String> headerValues, Instant now) throws DpopProofRejected {
        if (headerValues.isEmpty()) {
            return Optional.empty();
        }
        String proof = single(headerValues);
        Map<String, Object> header = header(proof);
        checkType(header);
        JWSAlgorithm algorithm = checkAlgorithm(header);
        JWK key = checkKey(header, algorithm);
        SignedJWT jwt = parse(proof);
        checkSignature(jwt, key);
        JWTClaimsSet claims = claims(jwt);
        checkMethod(claims);
        checkUri(claims);
        Instant issuedAt = checkIssuedAt(claims, now);
        String jwtId = requireJwtId(claims);
        checkNonce(claims);
        return Optional.of(new VerifiedDpopProof(thumbprint(key), jwtId, issuedAt.plus(maxAge)));
    }

    /**
     * The replay check: uses up the proof's {@code jti}, or refuses the proof as replayed (RFC 9449
     * §11.1), on whichever replica it came to before. Called in the transaction that uses up the subject token's
     * {@code jti}, so a DPoP-bound exchange commits once for both (docs/performance.md).
     */
    public void useOnce(VerifiedDpopProof proof) throws DpopProofRejected {
        replayGuard.claim(proof.jkt(), proof.jwtId(), proof.acceptedUntil());
    }

    /** Check 1: one header, one value (a proxy may join repeated headers with commas; a JWS has none). */
    private static String single(List<String> headerValues) throws DpopProofRejected {
        if (headerValues.size() > 1 || headerValues.get(0).indexOf(',') >= 0) {
            throw new DpopProofRejected(HEADER_COUNT, "send exactly one DPoP header, holding one proof");
        }
        String proof = headerValues.get(0).strip();
        if (proof.isEmpty()) {
            throw new DpopProofRejected(
                    MALFORMED, "the DPoP header is empty: send a DPoP proof JWT, or no DPoP header");
        }
        return proof;
    }

    /** Check 2: the shape, and a header Ferry can read before trusting anything in it. */
    private static Map<String, Object> header(String proof) throws DpopProofRejected {
        if (proof.length() > MAX_PROOF_CHARS) {
            throw new DpopProofRejected(MALFORMED, "the DPoP proof is longer than " + MAX_PROOF_CHARS + " characters");
        }
        String[] parts = proof.split("\\.", -1);
        if (parts.length != 3) {
            throw new DpopProofRejected(
                    MALFORMED, "the DPoP proof must be a signed JWT: three dot-separated base64url parts");
        }
        try {
            return JSONObjectUtils.parse(new Base64URL(parts[0]).decodeToString());
        } catch (ParseException e) {
            throw new DpopProofRejected(MALFORMED, "the DPoP proof's header is not a base64url-encoded JSON object");
        }
    }

    /** Check 4 (RFC 9449 §4.2): explicit typing, so no other JWT passes for a proof (RFC 8725 §3.11). */
    private static void checkType(Map<String, Object> header) throws DpopProofRejected {
        Object typ = header.get("typ");
        if (!(typ instanceof String type) || !TYPE.equalsIgnoreCase(type)) {
            throw new DpopProofRejected(
                    WRONG_TYPE, "the DPoP proof's typ header must be " + TYPE, "typ was " + shown(typ));
        }
    }

    /** Check 5: an asymmetric algorithm Ferry accepts; and nothing critical Ferry does not understand. */
    private JWSAlgorithm checkAlgorithm(Map<String, Object> header) throws DpopProofRejected {
        Object alg = header.get("alg");
        JWSAlgorithm algorithm = alg instanceof String name ? JWSAlgorithm.parse(name) : null;
        if (algorithm == null || !algorithms.contains(algorithm)) {
            throw new DpopProofRejected(
                    ALGORITHM_NOT_ALLOWED,
                    "the DPoP proof's alg must be one of " + names(algorithms)
                            + " (dpop_signing_alg_values_supported): an asymmetric signature, never none or a MAC",
                    "alg was " + shown(alg));
        }
        if (header.containsKey("crit")) {
            throw new DpopProofRejected(
                    CRITICAL_HEADER, "the DPoP proof has critical header parameters (crit) Ferry does not understand");
        }
        return algorithm;
    }

    /** Check 7: the public key to verify with, in the header, and nothing private beside it. */
    private static JWK checkKey(Map<String, Object> header, JWSAlgorithm algorithm) throws DpopProofRejected {
        Map<String, Object> jwk;
        try {
            jwk = JSONObjectUtils.getJSONObject(header, "jwk");
        } catch (ParseException e) {
            jwk = null;
        }
        if (jwk == null) {
            throw new DpopProofRejected(
                    UNSUITABLE_KEY, "the DPoP proof's header needs a jwk: the public key the proof is signed with");
        }
        JWK key;
        try {
            key = JWK.parse(jwk);
        } catch (ParseException e) {
            throw new DpopProofRejected(UNSUITABLE_KEY, "the DPoP proof's jwk is not a valid JSON Web Key (RFC 7517)");
        }
        if (key.isPrivate()) {
            throw new DpopProofRejected(
                    UNSUITABLE_KEY,
                    "the DPoP proof's jwk holds a private or symmetric key: put only the public key in the header",
                    "jwk with private members, key type " + key.getKeyType());
        }
        if (!fits(key, algorithm)) {
            throw new DpopProofRejected(
                    UNSUITABLE_KEY,
                    "the DPoP proof's jwk does not fit alg " + algorithm.getName()
                            + ": ES256 takes an EC P-256 key, RS256 and PS256 an RSA key of at least " + MIN_RSA_BITS
                            + " bits, EdDSA an Ed25519 key",
                    "key type " + key.getKeyType() + " for alg " + algorithm.getName());
        }
        return key;
    }

    private static boolean fits(JWK key, JWSAlgorithm algorithm) {
        if (JWSAlgorithm.ES256.equals(algorithm)) {
            return key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
        }
        if (JWSAlgorithm.RS256.equals(algorithm) || JWSAlgorithm.PS256.equals(algorithm)) {
            // The modulus's own length: size() counts the encoded bytes, leading zeros included.
            return key instanceof RSAKey rsa
                    && rsa.getModulus().decodeToBigInteger().bitLength() >= MIN_RSA_BITS;
        }
        if (JWSAlgorithm.EdDSA.equals(algorithm)) {
            // Nimbus does not check the length of x; an Ed25519 public key is 32 bytes (RFC 8037 §2).
            return key instanceof OctetKeyPair okp
                    && Curve.Ed25519.equals(okp.getCurve())
                    && okp.getDecodedX().length == 32;
        }
        return false;
    }

    private static SignedJWT parse(String proof) throws DpopProofRejected {
        try {
            return SignedJWT.parse(proof);
        } catch (ParseException e) {
            throw new DpopProofRejected(MALFORMED, "the DPoP proof is not a well-formed signed JWT");
        }
    }

    /** Check 6. */
    private static void checkSignature(SignedJWT jwt, JWK key) throws DpopProofRejected {
        boolean valid;
        try {
            valid = jwt.verify(JwsVerifiers.forKey(key));
        } catch (JOSEException | RuntimeException e) {
            // A key the crypto library refuses (a malformed point, a bad length) is a bad proof, not a fault.
            valid = false;
        }
        if (!valid) {
            throw new DpopProofRejected(BAD_SIGNATURE, "the DPoP proof's signature does not verify with its jwk");
        }
    }

    private static JWTClaimsSet claims(SignedJWT jwt) throws DpopProofRejected {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new DpopProofRejected(
                    MALFORMED,
                    "the DPoP proof's payload must be a JSON object of claims: jti and htm and htu strings, iat a number"
                            + " of seconds");
        }
    }

    /** Check 8: the proof is for this request's method. */
    private static void checkMethod(JWTClaimsSet claims) throws DpopProofRejected {
        Object htm = claims.getClaim("htm");
        if (!TOKEN_METHOD.equals(htm)) {
            throw new DpopProofRejected(
                    WRONG_METHOD,
                    "the DPoP proof's htm must be " + TOKEN_METHOD + ", the method of this request",
                    "htm was " + shown(htm));
        }
    }

    /** Check 9: the proof is for this endpoint, as clients address it. */
    private void checkUri(JWTClaimsSet claims) throws DpopProofRejected {
        Object htu = claims.getClaim("htu");
        String given = htu instanceof String uri ? HttpTargetUri.normalized(uri) : null;
        if (given == null || !given.equals(tokenEndpoint)) {
            throw new DpopProofRejected(
                    WRONG_URI,
                    "the DPoP proof's htu must be this token endpoint, " + tokenEndpoint,
                    "htu was " + shown(htu));
        }
    }

    /** Check 11: a fresh proof, by Ferry's clock (RFC 9449 §11.1). */
    private Instant checkIssuedAt(JWTClaimsSet claims, Instant now) throws DpopProofRejected {
        if (claims.getIssueTime() == null) {
            throw new DpopProofRejected(MISSING_CLAIM, "the DPoP proof needs an iat claim: when it was made");
        }
        Instant issuedAt = claims.getIssueTime().toInstant();
        if (issuedAt.isBefore(now.minus(maxAge))) {
            throw new DpopProofRejected(
                    TOO_OLD,
                    "the DPoP proof was made more than " + maxAge.toSeconds()
                            + " seconds ago: make a new proof for every request",
                    "iat " + issuedAt + ", now " + now);
        }
        if (issuedAt.isAfter(now.plus(clockSkew))) {
            throw new DpopProofRejected(
                    ISSUED_IN_FUTURE,
                    "the DPoP proof's iat is in the future: check the client's clock",
                    "iat " + issuedAt + ", now " + now);
        }
        return issuedAt;
    }

    private static String requireJwtId(JWTClaimsSet claims) throws DpopProofRejected {
        String jwtId = claims.getJWTID();
        if (jwtId == null || jwtId.isEmpty()) {
            throw new DpopProofRejected(
                    MISSING_CLAIM, "the DPoP proof needs a jti claim: a unique id, new for every proof");
        }
        return jwtId;
    }

    /** Check 10: with nonces required, one Ferry gave out and still current. */
    private void checkNonce(JWTClaimsSet claims) throws DpopProofRejected {
        if (!nonces.required()) {
            return;
        }
        Object nonce = claims.getClaim("nonce");
        if (nonce == null) {
            throw new DpopProofRejected(
                    NONCE,
                    "Ferry requires a nonce in DPoP proofs: make the proof again with the nonce of this answer's"
                            + " DPoP-Nonce header",
                    "no nonce");
        }
        if (!(nonce instanceof String given) || !nonces.accepts(given)) {
            throw new DpopProofRejected(
                    NONCE,
                    "the DPoP proof's nonce is stale or not one Ferry gave out: make the proof again with the nonce"
                            + " of this answer's DPoP-Nonce header",
                    "nonce not accepted");
        }
    }

    private static String thumbprint(JWK key) throws DpopProofRejected {
        try {
            return key.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new DpopProofRejected(UNSUITABLE_KEY, "the DPoP proof's jwk has no RFC 7638 thumbprint");
        }
    }

    /**
     * A header or claim value for the audit detail and the log: a string cut and escaped as caller text,
     * anything else by its JSON type only (an array or object may hold line breaks or kilobytes).
     */
    private static String shown(Object value) {
        if (value instanceof String text) {
            return CallerText.shown(text);
        }
        if (value == null) {
            return "missing";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        return value instanceof Number ? "a number" : value instanceof Boolean ? "a boolean" : "not a string";
    }

    private static String names(Set<JWSAlgorithm> algorithms) {
        return algorithms.stream().map(JWSAlgorithm::getName).sorted().collect(Collectors.joining(", "));
    }
}
