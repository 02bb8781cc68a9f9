package dev.ferry.token;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for private signing keys at rest (NIST SP 800-38D): a fresh 96-bit nonce per
 * encryption, a 128-bit tag, and the key id as associated data so a ciphertext cannot be moved to
 * another key's row. Stored as base64 of nonce || ciphertext. Encrypts under the current key;
 * decrypts under it or any previous one, saying which, so data can be re-encrypted. Also derives keys
 * for other purposes from the same keys ({@link #derive}), so that no other secret needs storing.
 */
final class KeyEncryption {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey current;
    private final List<SecretKey> previous;
    private final SecureRandom random = new SecureRandom();

    KeyEncryption(SecretKey current, List<SecretKey> previous) {
        this.current = current;
        this.previous = List.copyOf(previous);
    }

    KeyEncryption(SecretKey current) {
        this(current, List.of());
    }

    /** A decrypted value, and whether it was found under a previous key (and so wants re-encrypting). */
    record Decrypted(String plaintext, boolean underPreviousKey) {}

    String encrypt(String plaintext, String keyId) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
            byte[] ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder()
                    .encodeToString(ByteBuffer.allocate(nonce.length + ciphertext.length)
                            .put(nonce)
                            .put(ciphertext)
                            .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** Decrypts, or throws {@link GeneralSecurityException} when no known key fits or the data was altered. */
    Decrypted decrypt(String stored, String keyId) throws GeneralSecurityException {
        byte[] data = Base64.getDecoder().decode(stored);
        List<SecretKey> candidates = new ArrayList<>();
        candidates.add(current);
        candidates.addAll(previous);
        GeneralSecurityException last = null;
        for (int i = 0; i < candidates.size(); i++) {
            try {
                return new Decrypted(decrypt(data, keyId, candidates.get(i)), i > 0);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * A 32-byte HMAC-SHA256 key for {@code purpose} from each encryption key, the current one first:
     * HKDF-Expand (RFC 5869 §2.3) with the encryption key as the pseudorandom key (it is 32 uniformly
     * random bytes, so the extract step adds nothing) and {@code purpose} as info.
     */
    List<SecretKey> derive(String purpose) {
        byte[] info = purpose.getBytes(StandardCharsets.UTF_8);
        List<SecretKey> derived = new ArrayList<>();
        derived.add(new SecretKeySpec(expand(current.getEncoded(), info), "HmacSHA256"));
        previous.forEach(key -> derived.add(new SecretKeySpec(expand(key.getEncoded(), info), "HmacSHA256")));
        return List.copyOf(derived);
    }

    /** HKDF-Expand's first block, T(1) = HMAC-Hash(PRK, info || 0x01): 32 bytes of output. */
    static byte[] expand(byte[] pseudorandomKey, byte[] info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pseudorandomKey, "HmacSHA256"));
            mac.update(info);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static String decrypt(byte[] data, String keyId, SecretKey key) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
        cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
        return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
    }
}
