package dev.ferry.token;

import dev.ferry.core.DefinitionException;
import dev.ferry.core.Slug;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * The gateways allowed to call {@code /introspect}. A secret is shown once, at creation, and kept
 * only as a slow hash (bcrypt, through Spring Security's delegating encoder). So that a gateway
 * introspecting on every request does not pay a bcrypt check each time, a secret that matched a
 * stored hash is remembered (as its SHA-256) for as long as that hash is stored: deleting the client
 * or replacing its secret ends it at once.
 */
@Component
public class IntrospectionClients {

    /** A client as operators see it; {@code secret} only in the answer to its creation. */
    public record Client(String id, String description, Instant createdAt, String secret) {}

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final PasswordEncoder encoder;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> verified = new ConcurrentHashMap<>();

    /** A hash of a random secret no client has: checked against when the client id is unknown. */
    private final String unknownClientHash;

    @Autowired
    IntrospectionClients(JdbcTemplate jdbc, Clock clock) {
        this(jdbc, clock, PasswordEncoderFactories.createDelegatingPasswordEncoder());
    }

    IntrospectionClients(JdbcTemplate jdbc, Clock clock, PasswordEncoder encoder) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.encoder = encoder;
        this.unknownClientHash = encoder.encode(Base64.getEncoder().encodeToString(randomBytes(32)));
    }

    public Client create(String id, String description) {
        String clientId = id != null ? id : "client-" + HexFormat.of().formatHex(randomBytes(6));
        Slug.require("id", clientId);
        if (description != null && description.length() > 256) {
            throw new DefinitionException.Invalid("description", "description is at most 256 characters");
        }
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        try {
            jdbc.update(
                    "insert into introspection_client (id, description, secret_hash, created_at) values (?, ?, ?, ?)",
                    clientId,
                    description,
                    encoder.encode(secret),
                    Timestamp.from(now));
        } catch (DuplicateKeyException e) {
            throw new DefinitionException.Conflict("client '" + clientId + "' already exists");
        }
        return new Client(clientId, description, now, secret);
    }

    public List<Client> list() {
        return jdbc.query(
                "select id, description, created_at from introspection_client order by id",
                (rs, n) -> new Client(
                        rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), null));
    }

    /** One client, without its secret. */
    public Client get(String id) {
        return jdbc
                .query(
                        "select id, description, created_at from introspection_client where id = ?",
                        (rs, n) -> new Client(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getTimestamp(3).toInstant(),
                                null),
                        id)
                .stream()
                .findFirst()
                .orElseThrow(() -> new DefinitionException.NotFound("client", id));
    }

    public void delete(String id) {
        if (jdbc.update("delete from introspection_client where id = ?", id) == 0) {
            throw new DefinitionException.NotFound("client", id);
        }
    }

    /**
     * Whether {@code secret} is the secret of client {@code id}. Every answer but a remembered match
     * costs one password hash, for unknown ids too (against a hash of no one's secret), so the time
     * taken does not tell a known client id from an unknown one.
     */
    public boolean authenticate(String id, String secret) {
        List<String> hashes =
                jdbc.queryForList("select secret_hash from introspection_client where id = ?", String.class, id);
        String presented = secret == null ? "" : secret;
        if (hashes.isEmpty() || secret == null) {
            encoder.matches(presented, unknownClientHash);
            return false;
        }
        String hash = hashes.get(0);
        String digest = sha256(presented);
        String remembered = verified.get(id + "\n" + hash);
        if (remembered != null
                && MessageDigest.isEqual(
                        remembered.getBytes(StandardCharsets.US_ASCII), digest.getBytes(StandardCharsets.US_ASCII))) {
            return true;
        }
        if (!encoder.matches(presented, hash)) {
            return false;
        }
        verified.put(id + "\n" + hash, digest);
        return true;
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
