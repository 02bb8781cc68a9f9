package dev.ferry.token;

import dev.ferry.config.FerryProperties;
import dev.ferry.config.ProductionDefaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the AES key that protects private signing keys: {@code ferry.keys.encryption-key}, or, on the
 * embedded H2 database only, a key generated once into {@code <ferry.data-dir>/encryption.key}. On any
 * other database Ferry refuses to start without the setting: a key kept beside a shared database
 * would protect nothing, and replicas must share it.
 */
final class EncryptionKeySource {

    private static final Logger log = LoggerFactory.getLogger(EncryptionKeySource.class);
    private static final String FILE_NAME = "encryption.key";

    private EncryptionKeySource() {}

    /** The current key and the previous ones ({@code ferry.keys.previous-encryption-keys}). */
    static KeyEncryption encryption(FerryProperties properties, DataSource dataSource) {
        List<SecretKey> previous = new ArrayList<>();
        List<String> configured = properties.keys().previousEncryptionKeys();
        for (int i = 0; configured != null && i < configured.size(); i++) {
            previous.add(parse(configured.get(i).trim(), "ferry.keys.previous-encryption-keys[" + i + "]"));
        }
        return new KeyEncryption(resolve(properties, dataSource), previous);
    }

    static SecretKey resolve(FerryProperties properties, DataSource dataSource) {
        String configured = properties.keys().encryptionKey();
        if (configured != null && !configured.isBlank()) {
            return parse(configured.trim(), "ferry.keys.encryption-key");
        }
        if (!ProductionDefaults.isEmbeddedH2(dataSource)) {
            throw new IllegalStateException(
                    "ferry.keys.encryption-key is not set. It is required on every database but the embedded H2: "
                            + "set it (or FERRY_KEYS_ENCRYPTION_KEY) to base64 of 32 random bytes, e.g. `openssl rand -base64 32`, "
                            + "and give every replica the same value.");
        }
        return fromDataDir(properties.dataDir());
    }

    private static SecretKey fromDataDir(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                createOwnerOnly(file);
                Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
                log.warn(
                        "ferry.keys.encryption-key is not set: generated one into {}. Fine for a local H2 run; "
                                + "in production set ferry.keys.encryption-key and use PostgreSQL.",
                        file.toAbsolutePath());
            } else {
                log.warn("ferry.keys.encryption-key is not set: using the generated key in {}", file.toAbsolutePath());
            }
            return parse(Files.readString(file, StandardCharsets.US_ASCII).trim(), file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the encryption key file " + file, e);
        }
    }

    /** Creates the file readable and writable by its owner only, from the start (no window with wider rights). */
    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
            log.debug("file system without POSIX permissions; {} keeps its default permissions", file);
        }
    }

    private static SecretKey parse(String base64, String origin) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(origin + " is not valid base64");
        }
        if (bytes.length != 32) {
            throw new IllegalStateException(
                    origin + " must be base64 of exactly 32 bytes (AES-256), not " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
