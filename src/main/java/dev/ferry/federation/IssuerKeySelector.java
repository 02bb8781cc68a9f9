package dev.ferry.federation;

import static dev.ferry.federation.SubjectTokenRejected.Reason.KEYS_UNAVAILABLE;
import static dev.ferry.federation.SubjectTokenRejected.Reason.UNKNOWN_KEY;
import static dev.ferry.federation.SubjectTokenRejected.Reason.UNSUITABLE_KEY;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import dev.ferry.web.CallerText;
import java.util.List;

/**
 * Picks the issuer key that may verify a token, from the issuer's JWKS only (never from {@code jwk},
 * {@code jku}, {@code x5u} or {@code x5c} headers). An unknown {@code kid} makes the key source
 * refresh, rate-limited. A key is refused when its {@code kid} is not unique in its set, or it is
 * symmetric, RSA under 2048 bits, marked {@code use: enc} or with {@code key_ops} that lack {@code
 * verify} (RFC 7517 §4.2, §4.3), of another type or curve than the
 * token's {@code alg}, or declares a different {@code alg} (RFC 8725 §3.1, §2.1).
 */
final class IssuerKeySelector {

    private static final int MIN_RSA_BITS = 2048;

    private IssuerKeySelector() {}

    static JWK select(TrustedIssuer issuer, JWSHeader header) throws SubjectTokenRejected {
        String kid = header.getKeyID();
        JWKMatcher matcher =
                kid != null ? new JWKMatcher.Builder().keyID(kid).build() : new JWKMatcher.Builder().build();
        List<JWK> found;
        try {
            found = issuer.keys().get(new JWKSelector(matcher), null);
        } catch (RateLimitReachedException e) {
            found = List.of();
        } catch (KeySourceException e) {
            throw new SubjectTokenRejected(
                    KEYS_UNAVAILABLE,
                    issuer.name(),
                    "the keys of issuer '" + issuer.name() + "' cannot be fetched right now; retry later",
                    "JWKS of " + issuer.issuerUrl() + " unavailable and none cached: " + e.getMessage());
        }
        if (found.isEmpty()) {
            throw new SubjectTokenRejected(
                    UNKNOWN_KEY,
                    issuer.name(),
                    "subject_token is signed with a key (kid " + CallerText.shown(kid) + ") that issuer '"
                            + issuer.name() + "' does not publish",
                    "no key with kid " + CallerText.shown(kid) + " in the JWKS of " + issuer.issuerUrl());
        }
        if (kid != null && found.size() > 1) {
            throw unsuitable(issuer, kid, "kid is not unique in the issuer's key set");
        }
        List<JWK> usable = found.stream()
                .filter(key -> problem(key, header.getAlgorithm()) == null)
                .toList();
        if (usable.size() != 1) {
            String reason = usable.isEmpty()
                    ? problem(found.get(0), header.getAlgorithm())
                    : "several keys fit and none is named by kid";
            throw unsuitable(issuer, kid, reason);
        }
        JWK key = usable.get(0);
        if (kid == null
                && key.getKeyID() != null
                && found.stream()
                                .filter(k -> key.getKeyID().equals(k.getKeyID()))
                                .count()
                        > 1) {
            throw unsuitable(issuer, key.getKeyID(), "kid is not unique in the issuer's key set");
        }
        return key;
    }

    /** Why a key may not verify tokens of {@code alg}, or null when it may. */
    static String problem(JWK key, JWSAlgorithm alg) {
        if (key instanceof OctetSequenceKey) {
            return "symmetric keys are never used";
        }
        if (KeyUse.ENCRYPTION.equals(key.getKeyUse())) {
            return "the key is marked use: enc";
        }
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return "the key's key_ops does not include verify";
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
            return "the key is for " + key.getAlgorithm() + ", the token uses " + alg;
        }
        if (!KeyType.forAlgorithm(alg).equals(key.getKeyType())) {
            return "a " + key.getKeyType() + " key cannot verify " + alg;
        }
        if (key instanceof RSAKey && key.size() < MIN_RSA_BITS) {
            return "RSA keys under " + MIN_RSA_BITS + " bits are refused";
        }
        if (key instanceof ECKey ec && !Curve.forJWSAlgorithm(alg).contains(ec.getCurve())) {
            return "curve " + ec.getCurve() + " does not go with " + alg;
        }
        if (key instanceof OctetKeyPair okp && !Curve.Ed25519.equals(okp.getCurve())) {
            return "only Ed25519 keys verify EdDSA";
        }
        return null;
    }

    private static SubjectTokenRejected unsuitable(TrustedIssuer issuer, String kid, String why) {
        return new SubjectTokenRejected(
                UNSUITABLE_KEY,
                issuer.name(),
                "the key (kid " + CallerText.shown(kid) + ") of issuer '" + issuer.name() + "' cannot be used: " + why,
                "key " + CallerText.shown(kid) + " of " + issuer.issuerUrl() + " refused: " + why);
    }
}
