package dev.ferry.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ferry.config.SigningAlgorithm;
import java.security.GeneralSecurityException;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every {@code ferry.keys.algorithm} generates a key that signs tokens its public half verifies. */
class SigningAlgorithmTest {

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void generatedKeySignsAndPublicKeyVerifies(SigningAlgorithm algorithm) throws Exception {
        JWK key = SigningKeys.generate(algorithm);
        assertThat(key.getAlgorithm()).isEqualTo(algorithm.jwsAlgorithm());
        assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
        assertThat(key.toPublicJWK().isPrivate()).isFalse();

        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(algorithm.jwsAlgorithm())
                        .keyID(key.getKeyID())
                        .build(),
                new JWTClaimsSet.Builder().subject("s").build());
        jwt.sign(SigningKeys.signer(key));

        assertThat(SignedJWT.parse(jwt.serialize()).verify(verifier(key.toPublicJWK())))
                .isTrue();
    }

    @Test
    void encryptedPrivateKeyOnlyDecryptsWithTheSameKeyAndKeyId() throws Exception {
        KeyEncryption encryption = new KeyEncryption(new SecretKeySpec(new byte[32], "AES"));
        String stored = encryption.encrypt("{\"d\":\"secret\"}", "kid-1");

        assertThat(stored).doesNotContain("secret");
        assertThat(encryption.decrypt(stored, "kid-1").plaintext()).isEqualTo("{\"d\":\"secret\"}");
        assertThat(encryption.decrypt(stored, "kid-1").underPreviousKey()).isFalse();
        assertThatThrownBy(() -> encryption.decrypt(stored, "kid-2")).isInstanceOf(GeneralSecurityException.class);
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> new KeyEncryption(new SecretKeySpec(other, "AES")).decrypt(stored, "kid-1"))
                .isInstanceOf(GeneralSecurityException.class);
        assertThat(encryption.encrypt("{\"d\":\"secret\"}", "kid-1"))
                .as("fresh nonce each time")
                .isNotEqualTo(stored);

        KeyEncryption rotated = new KeyEncryption(
                new SecretKeySpec(other, "AES"), java.util.List.of(new SecretKeySpec(new byte[32], "AES")));
        assertThat(rotated.decrypt(stored, "kid-1").underPreviousKey()).isTrue();
        assertThat(rotated.decrypt(rotated.encrypt("x", "kid-1"), "kid-1").underPreviousKey())
                .isFalse();
    }

    private static JWSVerifier verifier(JWK publicKey) throws Exception {
        if (publicKey instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        if (publicKey instanceof OctetKeyPair okp) {
            return new Ed25519Verifier(okp);
        }
        return new RSASSAVerifier((RSAKey) publicKey);
    }
}
