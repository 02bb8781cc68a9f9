package dev.ferry.core;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * Nimbus's signature verifier for a public key of a type Ferry verifies with (RSA, EC, Ed25519): subject
 * tokens' issuer keys and DPoP proofs' keys. Building one checks the key (an EC point on its curve, say);
 * which algorithms the key may be used with is the caller's check.
 */
public final class JwsVerifiers {

    private JwsVerifiers() {}

    public static JWSVerifier forKey(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        if (key instanceof OctetKeyPair okp) {
            return new Ed25519Verifier(okp);
        }
        throw new JOSEException("unsupported key type " + key.getKeyType());
    }
}
