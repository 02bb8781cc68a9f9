package dev.ferry.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A CI job's DPoP key pair and the proofs it signs (RFC 9449 §4.2), for tests. Proofs are assembled
 * from their JSON by hand, so that a test can break any part (a private {@code jwk}, a wrong {@code typ},
 * {@code alg: none}); every signature is real, by Nimbus's signers.
 */
public final class TestDpop {

    private final JWK key;
    private final JWSAlgorithm algorithm;

    private TestDpop(JWK key, JWSAlgorithm algorithm) {
        this.key = key;
        this.algorithm = algorithm;
    }

    public static TestDpop es256() {
        try {
            return new TestDpop(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestDpop ps256() {
        try {
            return new TestDpop(new RSAKeyGenerator(2048).generate(), JWSAlgorithm.PS256);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestDpop ed25519() {
        try {
            return new TestDpop(new OctetKeyPairGenerator(Curve.Ed25519).generate(), JWSAlgorithm.EdDSA);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key pair, private part included (for clients such as Nimbus's proof factory). */
    public JWK key() {
        return key;
    }

    /**
     * The RFC 7638 SHA-256 thumbprint of the public key, computed here from the RFC's rules (the required
     * members only, in lexicographic order, no white space) rather than by the library under test.
     */
    public String thumbprint() {
        Map<String, Object> members = key.toPublicJWK().toJSONObject();
        Map<String, Object> required = new TreeMap<>();
        for (String name : switch (key.getKeyType().getValue()) {
            case "EC" -> new String[] {"crv", "kty", "x", "y"};
            case "RSA" -> new String[] {"e", "kty", "n"};
            default -> new String[] {"crv", "kty", "x"};
        }) {
            required.put(name, members.get(name));
        }
        StringBuilder json = new StringBuilder("{");
        required.forEach((name, value) -> json.append(json.length() > 1 ? "," : "")
                .append('"')
                .append(name)
                .append("\":\"")
                .append(value)
                .append('"'));
        json.append('}');
        return base64url(sha256(json.toString()));
    }

    /** A fresh proof for {@code method} and {@code uri}, made now, with a new {@code jti}. */
    public Proof proof(String method, String uri) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "dpop+jwt");
        header.put("alg", algorithm.getName());
        header.put("jwk", key.toPublicJWK().toJSONObject());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("htm", method);
        claims.put("htu", uri);
        claims.put("iat", Instant.now().getEpochSecond());
        return new Proof(header, claims, this);
    }

    /** One proof, built up field by field; {@link #sign()} gives its compact serialization. */
    public static final class Proof {
        private final Map<String, Object> header;
        private final Map<String, Object> claims;
        private TestDpop signer;
        private String macSecret;

        private Proof(Map<String, Object> header, Map<String, Object> claims, TestDpop signer) {
            this.header = header;
            this.claims = claims;
            this.signer = signer;
        }

        /** Sets a header parameter; null removes it. */
        public Proof header(String name, Object value) {
            put(header, name, value);
            return this;
        }

        /** Sets a claim; null removes it. */
        public Proof claim(String name, Object value) {
            put(claims, name, value);
            return this;
        }

        public Proof iat(Instant issuedAt) {
            return claim("iat", issuedAt.getEpochSecond());
        }

        public Proof nonce(String nonce) {
            return claim("nonce", nonce);
        }

        /** {@code ath}: the base64url SHA-256 of the access token the proof goes with (RFC 9449 §4.2). */
        public Proof ath(String accessToken) {
            return claim("ath", base64url(sha256(accessToken)));
        }

        /** The jwk header stays this key's; the signature is {@code other}'s. */
        public Proof signedBy(TestDpop other) {
            this.signer = other;
            return this;
        }

        /** The header names the full key pair, private members included. */
        public Proof withPrivateJwk() {
            return header("jwk", signer.key.toJSONObject());
        }

        /** Signed with HMAC-SHA256 under {@code secret} ({@code alg: HS256}). */
        public Proof macWith(String secret) {
            this.macSecret = secret;
            return header("alg", "HS256");
        }

        public String sign() {
            String input = encode(header) + "." + encode(claims);
            if ("none".equals(header.get("alg"))) {
                return input + ".";
            }
            try {
                JWSSigner jws;
                if (macSecret != null) {
                    jws = new MACSigner(macSecret.getBytes(StandardCharsets.UTF_8));
                } else if (signer.key instanceof ECKey ec) {
                    jws = new ECDSASigner(ec);
                } else if (signer.key instanceof RSAKey rsa) {
                    jws = new RSASSASigner(rsa);
                } else {
                    jws = new Ed25519Signer((OctetKeyPair) signer.key);
                }
                JWSAlgorithm alg = macSecret != null ? JWSAlgorithm.HS256 : signer.algorithm;
                Base64URL signature = jws.sign(new JWSHeader(alg), input.getBytes(StandardCharsets.US_ASCII));
                return input + "." + signature;
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String encode(Map<String, Object> json) {
            return Base64URL.encode(JSONObjectUtils.toJSONString(json)).toString();
        }

        private static void put(Map<String, Object> map, String name, Object value) {
            if (value == null) {
                map.remove(name);
            } else {
                map.put(name, value);
            }
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
