package dev.ferry.config;

import com.nimbusds.jose.JWSAlgorithm;

/** The algorithms Ferry can sign its access tokens with ({@code ferry.keys.algorithm}). */
public enum SigningAlgorithm {
    ES256(JWSAlgorithm.ES256),
    RS256(JWSAlgorithm.RS256),
    PS256(JWSAlgorithm.PS256),
    EdDSA(JWSAlgorithm.EdDSA);

    private final JWSAlgorithm jwsAlgorithm;

    SigningAlgorithm(JWSAlgorithm jwsAlgorithm) {
        this.jwsAlgorithm = jwsAlgorithm;
    }

    public JWSAlgorithm jwsAlgorithm() {
        return jwsAlgorithm;
    }
}
