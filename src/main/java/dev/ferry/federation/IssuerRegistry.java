package dev.ferry.federation;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.ConfigRevision;
import dev.ferry.core.ReservedClaims;
import dev.ferry.core.TrustConfigurationChanged;
import jakarta.annotation.PostConstruct;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The in-memory copy of every issuer, found by its exact {@code iss}: the token endpoint never reads
 * the database for issuers. Rebuilt after each definition change; an issuer's key source (and so
 * its JWKS cache) survives a rebuild unless its key settings changed.
 */
@Component
class IssuerRegistry {

    private static final Logger log = LoggerFactory.getLogger(IssuerRegistry.class);

    private final IssuerService issuers;
    private final KeySources keySources;
    private final ConfigRevision revision;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    private final boolean allowInsecureHttp;

    IssuerRegistry(IssuerService issuers, KeySources keySources, ConfigRevision revision, FerryProperties properties) {
        this.issuers = issuers;
        this.keySources = keySources;
        this.revision = revision;
        this.allowInsecureHttp = properties.federation().allowInsecureHttp();
    }

    /** The issuer whose URL is exactly {@code iss}, or null. */
    TrustedIssuer byUrl(String iss) {
        Entry entry = snapshot.byUrl().get(iss);
        return entry == null ? null : entry.issuer();
    }

    /** The definition of the issuer named {@code name}, or null. */
    IssuerDefinition definitionOf(String name) {
        Entry entry = snapshot.byName().get(name);
        return entry == null ? null : entry.definition();
    }

    /** The key source and its watch of the issuer named {@code name}, or null. */
    KeySources.IssuerKeys keysOf(String name) {
        Entry entry = snapshot.byName().get(name);
        return entry == null ? null : entry.keys();
    }

    /** The issuer named {@code name}, or null. */
    TrustedIssuer byName(String name) {
        Entry entry = snapshot.byName().get(name);
        return entry == null ? null : entry.issuer();
    }

    @PostConstruct
    void load() {
        long loaded = revision.current();
        List<IssuerDefinition> definitions = issuers.definitions();
        requireHttpsUnlessAllowed(definitions);
        warnOfReservedMappings(definitions);
        reload(null);
        revision.loaded(loaded);
    }

    /** Start-up check: a mapping stored before its claim name was reserved is ignored, and said so. */
    private static void warnOfReservedMappings(List<IssuerDefinition> definitions) {
        for (IssuerDefinition d : definitions) {
            List<String> reserved = d.claimMappings().keySet().stream()
                    .filter(ReservedClaims.NAMES::contains)
                    .sorted()
                    .toList();
            if (!reserved.isEmpty()) {
                log.warn(
                        "Issuer '{}' maps the reserved claims {}: they are not carried into Ferry's tokens; remove the"
                                + " mappings (docs/operations.md, Upgrading)",
                        d.name(),
                        reserved);
            }
        }
    }

    /** Start-up check: an issuer stored while http was allowed cannot be used once it no longer is. */
    private void requireHttpsUnlessAllowed(List<IssuerDefinition> definitions) {
        if (allowInsecureHttp) {
            return;
        }
        for (IssuerDefinition d : definitions) {
            for (String url : java.util.Arrays.asList(d.issuerUrl(), d.jwksUri())) {
                if (url != null && url.startsWith("http:")) {
                    throw new IllegalStateException(
                            "issuer '" + d.name() + "' uses " + url
                                    + " but ferry.federation.allow-insecure-http is false: "
                                    + "change the issuer to https, or set ferry.federation.allow-insecure-http=true (tests, local runs only)");
                }
            }
        }
    }

    /**
     * Applies a change: the issuers it names read again from the database (a deleted one dropped), or
     * every issuer when the change is not known. Each keeps its key source, and so its JWKS cache,
     * unless its key settings changed.
     */
    @TransactionalEventListener(fallbackExecution = true)
    synchronized void apply(TrustConfigurationChanged change) {
        try {
            reload(change);
        } catch (RuntimeException e) {
            log.error(
                    "Could not apply issuer changes up to revision {}; every issuer is reloaded at the next poll: {}",
                    change.revision(),
                    e.toString());
            revision.reloadEverythingAtNextPoll();
        }
    }

    void reload(TrustConfigurationChanged change) {
        Map<String, Entry> byName = new HashMap<>();
        List<IssuerDefinition> definitions;
        if (change == null || change.everything()) {
            definitions = issuers.definitions();
        } else {
            List<String> names = change.names(TrustConfigurationChanged.ISSUER);
            if (names.isEmpty()) {
                return;
            }
            byName.putAll(snapshot.byName());
            names.forEach(byName::remove);
            definitions = issuers.definitions(names);
        }
        Map<String, Entry> previous = snapshot.byName();
        for (IssuerDefinition definition : definitions) {
            Entry old = previous.get(definition.name());
            KeySources.IssuerKeys keys =
                    old != null && old.sameKeySettings(definition) ? old.keys() : keySources.build(definition);
            byName.put(definition.name(), new Entry(definition, TrustedIssuer.of(definition, keys.keys()), keys));
        }
        Map<String, Entry> byUrl = new HashMap<>();
        byName.values().forEach(entry -> byUrl.put(entry.definition().issuerUrl(), entry));
        snapshot = new Snapshot(Map.copyOf(byName), Map.copyOf(byUrl));
        log.debug("Loaded {} issuers", definitions.size());
    }

    private record Snapshot(Map<String, Entry> byName, Map<String, Entry> byUrl) {}

    private record Entry(IssuerDefinition definition, TrustedIssuer issuer, KeySources.IssuerKeys keys) {
        boolean sameKeySettings(IssuerDefinition other) {
            return definition.issuerUrl().equals(other.issuerUrl())
                    && Objects.equals(definition.jwksUri(), other.jwksUri())
                    && Objects.equals(definition.jwks(), other.jwks());
        }
    }
}
