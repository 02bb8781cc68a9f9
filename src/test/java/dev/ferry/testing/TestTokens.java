package dev.ferry.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.opts.AllowWeakRSAKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Immutable, fluent builder for CI subject tokens (OIDC ID tokens) used in tests.
 *
 * <p>Every modifier returns a new instance, so a pre-filled builder from {@link TestIssuer#github()} or
 * {@link TestIssuer#gitlab()} can be shared as a base and varied per test. Instances are obtained from a
 * {@link TestIssuer}; unless {@link #signWith(RSAKey)} is used, tokens are signed with the issuer's key that is
 * current <em>when {@link #sign()} is called</em>.
 *
 * <p>Claims are serialized exactly as given: {@link Instant} and {@link Date} values become NumericDate seconds,
 * a {@code null} value is written as JSON {@code null} (use {@link #without(String)} to omit a claim), and any
 * other value (strings, numbers, booleans, lists, maps) is written as-is, so a test can set e.g. a string
 * {@code exp}. The protected header is {@code {"alg":"RS256","typ":"JWT","kid":<key's kid>}} plus whatever was
 * added with {@link #header(String, Object)} (which may also override or, with {@code null}, remove {@code typ}
 * and {@code kid}).
 *
 * <p>All signatures are real: RS256 via Nimbus {@link RSASSASigner}, HS256 via {@link MACSigner}. Only
 * {@link #unsecured()} produces an unsigned ({@code alg: none}) token.
 */
public final class TestTokens {

    private final Supplier<RSAKey> issuerKey;
    private final RSAKey signingKey;
    private final Map<String, Object> claims;
    private final Map<String, Object> headers;

    TestTokens(Supplier<RSAKey> issuerKey, Map<String, Object> claims) {
        this(issuerKey, null, claims, Map.of());
    }

    private TestTokens(
            Supplier<RSAKey> issuerKey, RSAKey signingKey, Map<String, Object> claims, Map<String, Object> headers) {
        this.issuerKey = Objects.requireNonNull(issuerKey, "issuerKey");
        this.signingKey = signingKey;
        this.claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Sets (or replaces) a claim; {@code null} is serialized as JSON null, Instants as epoch seconds. */
    public TestTokens claim(String name, Object value) {
        Objects.requireNonNull(name, "name");
        return withClaims(map -> map.put(name, jsonValue(value)));
    }

    /** Removes a claim entirely, so it is absent from the payload. */
    public TestTokens without(String claim) {
        return withClaims(map -> map.remove(claim));
    }

    /** Sets {@code sub}. */
    public TestTokens subject(String subject) {
        return claim("sub", subject);
    }

    /** Sets {@code aud}: a JSON string for one value, a JSON array otherwise (including none). */
    public TestTokens audience(String... audience) {
        Object value = audience.length == 1 ? audience[0] : List.copyOf(Arrays.asList(audience));
        return claim("aud", value);
    }

    /** Sets {@code iss}. */
    public TestTokens issuer(String issuer) {
        return claim("iss", issuer);
    }

    /** Sets {@code iat} (epoch seconds). */
    public TestTokens issuedAt(Instant issuedAt) {
        return claim("iat", issuedAt);
    }

    /** Sets {@code nbf} (epoch seconds). */
    public TestTokens notBefore(Instant notBefore) {
        return claim("nbf", notBefore);
    }

    /** Sets {@code exp} (epoch seconds). */
    public TestTokens expiresAt(Instant expiresAt) {
        return claim("exp", expiresAt);
    }

    /** Sets {@code jti}. */
    public TestTokens jwtId(String jwtId) {
        return claim("jti", jwtId);
    }

    /**
     * Sets a protected header parameter such as {@code jku}, {@code x5u} or {@code jwk}; {@code null} removes it.
     * A {@link JWK} value is written as its public JSON; {@link URI}/{@link URL} values as strings. The value must
     * be acceptable to Nimbus's header parser (e.g. a {@code jwk} must be a public key).
     */
    public TestTokens header(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Map<String, Object> copy = new LinkedHashMap<>(headers);
        copy.put(name, headerValue(value));
        return new TestTokens(issuerKey, signingKey, claims, copy);
    }

    /** Overrides the {@code kid} header; {@code null} omits {@code kid}. */
    public TestTokens keyId(String keyId) {
        return header("kid", keyId);
    }

    /** Signs with the given private RSA key (e.g. an attacker's) instead of the issuer's current key. */
    public TestTokens signWith(RSAKey key) {
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("signWith needs an RSA key with its private part");
        }
        return new TestTokens(issuerKey, key, claims, headers);
    }

    /** The claims as they will be serialized (Instants already converted to epoch seconds). */
    public Map<String, Object> claims() {
        return claims;
    }

    /** The payload JSON that {@link #sign()} signs. */
    public String payloadJson() {
        return JSONObjectUtils.toJSONString(claims);
    }

    /** A compact RS256 JWS over the claims. */
    public String sign() {
        return signWithRawPayload(payloadJson());
    }

    /** A compact RS256 JWS whose payload is exactly {@code payloadJson} (not parsed or normalized). */
    public String signWithRawPayload(String payloadJson) {
        RSAKey key = key();
        try {
            JWSSigner signer = new RSASSASigner(key, Set.of(AllowWeakRSAKey.getInstance()));
            return signed(header(JWSAlgorithm.RS256, key.getKeyID()), payloadJson, signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("Unusable RSA key: " + e.getMessage(), e);
        }
    }

    /** An unsecured JWT: header exactly {@code {"alg":"none"}}, the same claims, and an empty signature. */
    public String unsecured() {
        Base64URL header = Base64URL.encode("{\"alg\":\"none\"}");
        Base64URL payload = Base64URL.encode(payloadJson());
        return header + "." + payload + ".";
    }

    /**
     * A compact HS256 JWS with the same claims and headers, MACed with {@code secret} (e.g. the issuer's RSA public
     * key encoding, for the classic algorithm-confusion attack). Nimbus requires a secret of at least 256 bits.
     */
    public String hs256WithSecret(byte[] secret) {
        try {
            return signed(header(JWSAlgorithm.HS256, key().getKeyID()), payloadJson(), new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("Unusable HMAC secret: " + e.getMessage(), e);
        }
    }

    private RSAKey key() {
        return signingKey != null ? signingKey : issuerKey.get();
    }

    private JWSHeader header(JWSAlgorithm alg, String defaultKeyId) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("alg", alg.getName());
        json.put("typ", "JWT");
        if (defaultKeyId != null) {
            json.put("kid", defaultKeyId);
        }
        headers.forEach((name, value) -> putOrRemove(json, name, value));
        try {
            return JWSHeader.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("Header rejected by Nimbus: " + e.getMessage(), e);
        }
    }

    private static String signed(JWSHeader header, String payloadJson, JWSSigner signer) {
        JWSObject jws = new JWSObject(header, new Payload(payloadJson));
        try {
            jws.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("Signing failed: " + e.getMessage(), e);
        }
        return jws.serialize();
    }

    private TestTokens withClaims(Consumer<Map<String, Object>> change) {
        Map<String, Object> copy = new LinkedHashMap<>(claims);
        change.accept(copy);
        return new TestTokens(issuerKey, signingKey, copy, headers);
    }

    private static void putOrRemove(Map<String, Object> map, String name, Object value) {
        if (value == null) {
            map.remove(name);
        } else {
            map.put(name, value);
        }
    }

    private static Object jsonValue(Object value) {
        if (value instanceof Instant instant) {
            return instant.getEpochSecond();
        }
        if (value instanceof Date date) {
            return date.toInstant().getEpochSecond();
        }
        return value;
    }

    private static Object headerValue(Object value) {
        if (value instanceof JWK jwk) {
            JWK publicJwk = jwk.toPublicJWK();
            return publicJwk != null ? publicJwk.toJSONObject() : jwk.toJSONObject();
        }
        if (value instanceof URI || value instanceof URL) {
            return value.toString();
        }
        return value;
    }
}
