package dev.ferry.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Keys derived from the encryption keys: HKDF-Expand as RFC 5869 defines it, one per encryption key. */
class KeyDerivationTest {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 5869 Appendix A.1 (test case 1): the first 32 bytes of its OKM are T(1). */
    @Test
    void expandGivesTheFirstBlockOfRfc5869TestCase1() {
        byte[] prk = HEX.parseHex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");

        assertThat(HEX.formatHex(KeyEncryption.expand(prk, info)))
                .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    }

    @Test
    void eachEncryptionKeyAndPurposeGivesItsOwnKeyTheCurrentFirst() {
        SecretKey current = aesKey(1);
        SecretKey previous = aesKey(2);
        KeyEncryption rotated = new KeyEncryption(current, List.of(previous));

        List<SecretKey> derived = rotated.derive("ferry DPoP-Nonce v1");

        assertThat(derived).hasSize(2);
        assertThat(derived.get(0).getEncoded())
                .isEqualTo(new KeyEncryption(current)
                        .derive("ferry DPoP-Nonce v1")
                        .get(0)
                        .getEncoded());
        assertThat(derived.get(1).getEncoded())
                .isEqualTo(new KeyEncryption(previous)
                        .derive("ferry DPoP-Nonce v1")
                        .get(0)
                        .getEncoded());
        assertThat(derived.get(0).getEncoded()).isNotEqualTo(derived.get(1).getEncoded());
        assertThat(rotated.derive("another purpose").get(0).getEncoded())
                .isNotEqualTo(derived.get(0).getEncoded());
        assertThat(derived.get(0).getEncoded())
                .as("never the encryption key itself")
                .isNotEqualTo(current.getEncoded());
        assertThat(derived.get(0).getAlgorithm()).isEqualTo("HmacSHA256");
    }

    private static SecretKey aesKey(int fill) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) fill);
        return new SecretKeySpec(bytes, "AES");
    }
}
