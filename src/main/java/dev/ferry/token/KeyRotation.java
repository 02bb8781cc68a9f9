package dev.ferry.token;

import dev.ferry.config.FerryProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The signing-key lifecycle: next → active → retired → deleted.
 *
 * <ul>
 *   <li>{@code publish-ahead} before the active key has signed for {@code rotation-period}, a next key
 *       is generated and published in the JWKS, so gateways caching the JWKS learn it before it signs;
 *   <li>once the period is over (and the next key has been published for {@code publish-ahead}), the
 *       next key becomes active and the active one retires;
 *   <li>a retired key stays published until every token it signed has expired ({@code ferry.token.max-ttl}
 *       after it retired, plus a minute), then it is deleted.
 * </ul>
 *
 * Every replica runs the check every {@code ferry.keys.rotation-check-interval} (default one minute); the signing-keys row lock makes them take turns, and a
 * turn that finds nothing due changes nothing, so exactly one replica performs each step.
 */
@Component
public class KeyRotation {

    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);
    private static final Duration DELETE_MARGIN = Duration.ofMinutes(1);

    private final SigningKeyVault vault;
    private final SigningKeys keys;
    private final FerryProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    KeyRotation(
            SigningKeyVault vault,
            SigningKeys keys,
            FerryProperties properties,
            TransactionTemplate transactions,
            Clock clock) {
        this.vault = vault;
        this.keys = keys;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Performs whatever step of the lifecycle is due; returns whether it changed anything. */
    @Scheduled(
            fixedDelayString = "${ferry.keys.rotation-check-interval:1m}",
            initialDelayString = "${ferry.keys.rotation-check-interval:1m}")
    public boolean rotateIfDue() {
        Boolean changed = transactions.execute(status -> {
            vault.lock();
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            List<SigningKeyEntity> all = vault.all();
            return publishNextIfDue(all, now) | promoteIfDue(all, now) | deleteExpired(all, now);
        });
        if (Boolean.TRUE.equals(changed)) {
            keys.reload();
        }
        return Boolean.TRUE.equals(changed);
    }

    /**
     * Rotates on an operator's request. Never signs with a key gateways cannot have seen: the next key
     * (created now if there is none) starts signing once it has been published for the JWKS's
     * {@code max-age} ({@link FerryProperties.Keys#jwksMaxAge()}), at once if it already has been, else
     * at the time the answer's {@code next} key shows as {@code signsFrom}, carried out by the next
     * rotation check of any replica. With {@code compromised}, a new key signs at once and every other
     * key is deleted: tokens signed before stop validating wherever gateways refetch the JWKS, which
     * they do when they meet the new key's {@code kid}.
     */
    public List<SigningKeyInfo> rotateNow(boolean compromised) {
        transactions.executeWithoutResult(status -> {
            vault.lock();
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            List<SigningKeyEntity> all = vault.all();
            if (compromised) {
                all.forEach(vault::delete);
                vault.create(properties.keys().algorithm(), SigningKeyEntity.ACTIVE, now);
                log.warn(
                        "Emergency rotation: every previous signing key deleted, tokens they signed no longer validate");
                return;
            }
            SigningKeyEntity next = find(all, SigningKeyEntity.NEXT)
                    .orElseGet(() -> vault.create(properties.keys().algorithm(), SigningKeyEntity.NEXT, now));
            Instant seenByGateways = next.createdAt.plus(properties.keys().jwksMaxAge());
            if (!now.isBefore(seenByGateways)) {
                promote(all, next, now);
                return;
            }
            next.signsFrom = seenByGateways;
            vault.save(next);
            log.warn(
                    "Rotation requested: key {} signs from {}, once gateways caching the JWKS know it",
                    next.kid,
                    seenByGateways);
        });
        keys.reload();
        return list();
    }

    public List<SigningKeyInfo> list() {
        Duration ahead = properties.keys().publishAhead();
        Duration period = properties.keys().rotationPeriod();
        Duration maxTtl = properties.token().maxTtl();
        return vault.all().stream()
                .map(k -> new SigningKeyInfo(
                        k.kid,
                        k.algorithm,
                        k.state,
                        k.createdAt,
                        k.activatedAt != null
                                ? k.activatedAt
                                : k.signsFrom != null
                                        ? k.signsFrom
                                        : later(
                                                k.createdAt.plus(ahead),
                                                activeSince().plus(period)),
                        k.retiredAt,
                        k.retiredAt == null ? null : k.retiredAt.plus(maxTtl).plus(DELETE_MARGIN)))
                .toList();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private Instant activeSince() {
        return find(vault.all(), SigningKeyEntity.ACTIVE)
                .map(k -> k.activatedAt)
                .orElse(clock.instant());
    }

    private boolean publishNextIfDue(List<SigningKeyEntity> all, Instant now) {
        Optional<SigningKeyEntity> active = find(all, SigningKeyEntity.ACTIVE);
        if (active.isEmpty() || find(all, SigningKeyEntity.NEXT).isPresent()) {
            return false;
        }
        Instant due = active.get()
                .activatedAt
                .plus(properties.keys().rotationPeriod())
                .minus(properties.keys().publishAhead());
        if (now.isBefore(due)) {
            return false;
        }
        vault.create(properties.keys().algorithm(), SigningKeyEntity.NEXT, now);
        return true;
    }

    private boolean promoteIfDue(List<SigningKeyEntity> all, Instant now) {
        Optional<SigningKeyEntity> active = find(all, SigningKeyEntity.ACTIVE);
        Optional<SigningKeyEntity> next = find(vault.all(), SigningKeyEntity.NEXT);
        if (active.isEmpty() || next.isEmpty()) {
            return false;
        }
        boolean periodOver =
                !now.isBefore(active.get().activatedAt.plus(properties.keys().rotationPeriod()));
        boolean publishedLongEnough =
                !now.isBefore(next.get().createdAt.plus(properties.keys().publishAhead()));
        boolean requestedAndDue = next.get().signsFrom != null && !now.isBefore(next.get().signsFrom);
        if (!requestedAndDue && !(periodOver && publishedLongEnough)) {
            return false;
        }
        promote(vault.all(), next.get(), now);
        return true;
    }

    private void promote(List<SigningKeyEntity> all, SigningKeyEntity next, Instant now) {
        find(all, SigningKeyEntity.ACTIVE).ifPresent(active -> {
            active.state = SigningKeyEntity.RETIRED;
            active.retiredAt = now;
            vault.save(active);
        });
        next.state = SigningKeyEntity.ACTIVE;
        next.activatedAt = now;
        vault.save(next);
        log.info("Rotated signing keys: {} now signs", next.kid);
    }

    private boolean deleteExpired(List<SigningKeyEntity> all, Instant now) {
        Duration keep = properties.token().maxTtl().plus(DELETE_MARGIN);
        boolean deleted = false;
        for (SigningKeyEntity key : all) {
            if (SigningKeyEntity.RETIRED.equals(key.state)
                    && key.retiredAt != null
                    && now.isAfter(key.retiredAt.plus(keep))) {
                vault.delete(key);
                deleted = true;
            }
        }
        return deleted;
    }

    private static Optional<SigningKeyEntity> find(List<SigningKeyEntity> keys, String state) {
        return keys.stream().filter(k -> state.equals(k.state)).findFirst();
    }
}
