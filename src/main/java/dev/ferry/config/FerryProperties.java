package dev.ferry.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code ferry.*} setting, with its default. docs/configuration.md documents each key;
 * keep the two in step.
 *
 * @param issuer the external base URL of this Ferry: the {@code iss} of every token it issues
 * @param dataDir where the embedded H2 database (and, on H2 only, a generated encryption key) live
 */
@Validated
@ConfigurationProperties("ferry")
public record FerryProperties(
        @NotNull @DefaultValue("http://localhost:8080") URI issuer,
        @NotNull @DefaultValue("./data") Path dataDir,
        @Valid @DefaultValue Admin admin,
        @Valid @DefaultValue Keys keys,
        @Valid @DefaultValue Token token,
        @Valid @DefaultValue Federation federation,
        @Valid @DefaultValue Cache cache,
        @Valid @DefaultValue Audit audit,
        @Valid @DefaultValue Bootstrap bootstrap,
        @Valid @DefaultValue RateLimit rateLimit,
        @Valid @DefaultValue Replicas replicas,
        @Valid @DefaultValue Console console,
        @Valid @DefaultValue Lint lint,
        @Valid @DefaultValue Dpop dpop) {

    public FerryProperties {
        if (console != null
                && federation != null
                && console.oidc().issuer() != null
                && "http".equals(console.oidc().issuer().getScheme())
                && !federation.allowInsecureHttp()) {
            throw new IllegalArgumentException("ferry.console.oidc.issuer must be an https URL, not '"
                    + console.oidc().issuer() + "' (http only with ferry.federation.allow-insecure-http)");
        }
        if (issuer != null
                && (!issuer.isAbsolute()
                        || issuer.getHost() == null
                        || !("https".equals(issuer.getScheme()) || "http".equals(issuer.getScheme())))) {
            throw new IllegalArgumentException(
                    "ferry.issuer must be an absolute http(s) URL such as https://ferry.example.com, not '" + issuer
                            + "'");
        }
    }

    /** The issuer URL as it appears in {@code iss}: no trailing slash. */
    public String issuerId() {
        String value = issuer.toString();
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    /** The audience a Ferry-issued token must hold to call the admin API: {@code ferry.admin.audience}. */
    public String adminAudience() {
        return admin.audience() != null && !admin.audience().isBlank() ? admin.audience() : issuerId() + "/admin";
    }

    /**
     * @param bootstrapToken a static bearer token with full admin rights; unset disables it
     * @param audience the audience of Ferry-issued admin tokens; default {@code <ferry.issuer>/admin}
     */
    public record Admin(String bootstrapToken, String audience) {}

    /**
     * @param algorithm the JWS algorithm of newly generated signing keys: ES256, RS256, PS256 or EdDSA
     * @param encryptionKey base64 of 32 random bytes: the AES-256-GCM key that encrypts private signing
     *     keys at rest. Required on every database but the embedded H2.
     * @param previousEncryptionKeys earlier encryption keys, still accepted for decryption; keys found
     *     under one are re-encrypted under {@code encryptionKey} at start-up
     * @param rotationPeriod how long a signing key signs before the next one takes over
     * @param publishAhead how long a new key is published in the JWKS before it signs
     * @param maxConcurrentSignatures how many tokens a replica signs at once at most, further
     *     exchanges waiting their turn in arrival order; 0 (the default): no limit
     */
    public record Keys(
            @NotNull @DefaultValue("ES256") SigningAlgorithm algorithm,
            String encryptionKey,
            @DefaultValue List<String> previousEncryptionKeys,
            @NotNull @DefaultValue("30d") Duration rotationPeriod,
            @NotNull @DefaultValue("1h") Duration publishAhead,
            @Min(0) @DefaultValue("0") int maxConcurrentSignatures) {

        public Keys {
            if (rotationPeriod != null && publishAhead != null && publishAhead.compareTo(rotationPeriod) >= 0) {
                throw new IllegalArgumentException("ferry.keys.publish-ahead (" + publishAhead
                        + ") must be shorter than ferry.keys.rotation-period (" + rotationPeriod + ")");
            }
        }

        /** The longest a gateway may cache Ferry's JWKS ({@code max-age}): {@code publish-ahead}, at most five minutes. */
        public Duration jwksMaxAge() {
            Duration fiveMinutes = Duration.ofMinutes(5);
            return publishAhead.compareTo(fiveMinutes) < 0 ? publishAhead : fiveMinutes;
        }
    }

    /**
     * @param maxTtl upper bound of any issued token's lifetime
     * @param defaultTtl lifetime granted by a rule that sets no {@code ttlSeconds}
     * @param subjectTokenMaxSize largest subject token accepted by {@code POST /token}
     */
    public record Token(
            @NotNull @DefaultValue("1h") Duration maxTtl,
            @NotNull @DefaultValue("15m") Duration defaultTtl,
            @NotNull @DefaultValue("16KB") DataSize subjectTokenMaxSize) {}

    /**
     * How Ferry reaches trusted issuers' discovery documents and JWKS.
     *
     * @param allowInsecureHttp accept {@code http://} issuer, discovery and JWKS URLs (tests, local runs)
     * @param connectTimeout connect timeout of discovery and JWKS fetches
     * @param readTimeout read timeout of discovery and JWKS fetches
     * @param maxResponseSize largest discovery document or JWKS accepted
     * @param jwksCacheTtl how long a fetched JWKS is used before it is fetched again
     * @param jwksRefreshAhead how long before expiry a JWKS is refreshed in the background
     * @param jwksMinRefreshInterval the least time between two refreshes caused by unknown key ids
     * @param jwksOutageTolerance how long the last good JWKS keeps serving while its issuer is down
     */
    public record Federation(
            @DefaultValue("false") boolean allowInsecureHttp,
            @NotNull @DefaultValue("2s") Duration connectTimeout,
            @NotNull @DefaultValue("3s") Duration readTimeout,
            @NotNull @DefaultValue("256KB") DataSize maxResponseSize,
            @NotNull @DefaultValue("5m") Duration jwksCacheTtl,
            @NotNull @DefaultValue("30s") Duration jwksRefreshAhead,
            @NotNull @DefaultValue("30s") Duration jwksMinRefreshInterval,
            @NotNull @DefaultValue("24h") Duration jwksOutageTolerance) {

        /** The JWKS cache settings must fit together, or every issuer's key source would fail to build. */
        public Federation {
            if (jwksCacheTtl != null
                    && jwksMinRefreshInterval != null
                    && jwksMinRefreshInterval.compareTo(jwksCacheTtl) >= 0) {
                throw new IllegalArgumentException(
                        "ferry.federation.jwks-min-refresh-interval (" + jwksMinRefreshInterval
                                + ") must be shorter than ferry.federation.jwks-cache-ttl (" + jwksCacheTtl + ")");
            }
            if (jwksCacheTtl != null
                    && jwksRefreshAhead != null
                    && connectTimeout != null
                    && readTimeout != null
                    && jwksRefreshAhead
                                    .plus(refreshTimeout(connectTimeout, readTimeout))
                                    .compareTo(jwksCacheTtl)
                            > 0) {
                throw new IllegalArgumentException("ferry.federation.jwks-cache-ttl (" + jwksCacheTtl
                        + ") must exceed jwks-refresh-ahead plus twice the connect and read timeouts");
            }
        }

        /** How long a request waits for another request's JWKS fetch in progress. */
        public Duration jwksRefreshTimeout() {
            return refreshTimeout(connectTimeout, readTimeout);
        }

        private static Duration refreshTimeout(Duration connect, Duration read) {
            return connect.plus(read).multipliedBy(2);
        }
    }

    /**
     * Limits on {@code POST /token}, per replica (each replica counts on its own).
     *
     * @param perAddress requests one client address may make per {@code period}, checked before any work
     * @param perSubject exchanges one upstream subject (issuer + {@code sub}) may make per {@code period}
     * @param introspectionFailures failed client authentications at {@code /introspect} one client
     *     address may make per {@code period}; further attempts are answered 429 without being checked
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @Min(1) @DefaultValue("600") int perAddress,
            @Min(1) @DefaultValue("120") int perSubject,
            @NotNull @DefaultValue("1m") Duration period,
            @Min(1) @DefaultValue("20") int introspectionFailures) {}

    /**
     * @param file a definitions file (YAML or JSON, the shape of {@code GET /admin/v1/export}) applied at
     *     every start-up: created or updated as needed, nothing pruned
     */
    public record Bootstrap(Path file) {}

    /**
     * The rule linter as a guardrail (docs/rules.md, Refused warnings).
     *
     * @param refuse linter codes that make a rule write (admin API, import, bootstrap file) fail with 400,
     *     unless the rule acknowledges the code with a reason; rules already stored keep working and are
     *     reported at start-up and by {@code GET /admin/v1/rules?warnings=refused}. Default: {@code
     *     unbound-identity}, the code that means anyone on the issuer can get the token; empty refuses none
     */
    public record Lint(@DefaultValue("unbound-identity") List<String> refuse) {

        public Lint {
            refuse = refuse == null ? List.of() : List.copyOf(refuse);
        }
    }

    /**
     * DPoP proofs at {@code POST /token} (RFC 9449; docs/configuration.md, DPoP). Give every replica the
     * same values.
     *
     * @param algorithms the JWS algorithms a proof may be signed with, advertised as {@code
     *     dpop_signing_alg_values_supported}: asymmetric ones only (ES256, RS256, PS256, EdDSA)
     * @param proofMaxAge how long after its {@code iat} a proof is accepted, and so how long its {@code jti}
     *     is remembered (RFC 9449 §11.1)
     * @param clockSkew how far ahead of Ferry's clock a proof's {@code iat} may be
     * @param nonce {@code off}, or {@code required}: every proof must carry a nonce Ferry gave out in a
     *     {@code DPoP-Nonce} header (RFC 9449 §8)
     * @param nonceLifetime how long one nonce is handed out; it is accepted until the end of the next one
     */
    public record Dpop(
            @NotEmpty @DefaultValue({"ES256", "RS256", "PS256", "EdDSA"})
            List<SigningAlgorithm> algorithms,

            @NotNull @DefaultValue("60s") Duration proofMaxAge,
            @NotNull @DefaultValue("5s") Duration clockSkew,
            @NotNull @DefaultValue("off") Nonce nonce,
            @NotNull @DefaultValue("5m") Duration nonceLifetime) {

        public Dpop {
            algorithms = algorithms == null ? null : List.copyOf(new LinkedHashSet<>(algorithms));
            if (proofMaxAge != null && (proofMaxAge.isNegative() || proofMaxAge.isZero())) {
                throw new IllegalArgumentException("ferry.dpop.proof-max-age must be positive, not " + proofMaxAge);
            }
            if (clockSkew != null && clockSkew.isNegative()) {
                throw new IllegalArgumentException("ferry.dpop.clock-skew must not be negative, not " + clockSkew);
            }
            if (nonceLifetime != null && nonceLifetime.getSeconds() < 1) {
                throw new IllegalArgumentException(
                        "ferry.dpop.nonce-lifetime must be at least one second, not " + nonceLifetime);
            }
        }

        /** Whether proofs must carry a server-provided nonce (RFC 9449 §8). */
        public enum Nonce {
            OFF,
            REQUIRED
        }
    }

    /**
     * @param retention how long audit events are kept before the purge deletes them
     * @param purgeEvery how often each replica runs the purge (and, on PostgreSQL, creates the days
     *     ahead); each run is idempotent
     * @param purgeFirstAfter when, after start-up, a replica first runs it
     * @param queueCapacity how many exchange events a replica holds before they are written; when
     *     they are all waiting, exchanges wait too (push-back)
     * @param maxWait how long an exchange waits for room in a full queue before it is answered
     *     {@code temporarily_unavailable} (and its token never leaves Ferry)
     * @param impact replaying the audit log against proposed rules (docs/operations.md, Impact replay)
     */
    public record Audit(
            @NotNull @DefaultValue("90d") Duration retention,
            @NotNull @DefaultValue("1h") Duration purgeEvery,
            @NotNull @DefaultValue("5m") Duration purgeFirstAfter,
            @Min(1) @DefaultValue("10000") int queueCapacity,
            @NotNull @DefaultValue("10s") Duration maxWait,
            @Valid @DefaultValue Impact impact) {}

    /**
     * @param defaultWindow the audit window replayed when a dry run asks for impact without a length
     * @param budget how long a replay may take when the request names no {@code impactBudget}; then it
     *     stops and answers what it replayed so far, marked partial
     * @param maxBudget the longest {@code impactBudget} a request may ask for
     * @param cpuShare the share of one core a replay may use: after each slice of work it sleeps in
     *     proportion, so exchanges keep their latency while it runs (1.0: no pause)
     */
    public record Impact(
            @NotNull @DefaultValue("7d") Duration defaultWindow,
            @NotNull @DefaultValue("20s") Duration budget,
            @NotNull @DefaultValue("5m") Duration maxBudget,

            @DecimalMin("0.01") @DecimalMax("1.0") @DefaultValue("0.25")
            double cpuShare) {}

    /**
     * @param clockSkew how far the clocks of Ferry's replicas may drift from the database's clock: a
     *     subject revocation also covers tokens stamped up to this much later (a replica running ahead
     *     stamps their {@code iat} later than they were issued), and pruning keeps shared records this
     *     much longer
     */
    public record Replicas(@NotNull @DefaultValue("30s") Duration clockSkew) {}

    /**
     * @param refresh how often each replica checks the database for issuer and rule changes made
     *     through another replica (its own writes apply at once)
     */
    public record Cache(@NotNull @DefaultValue("5s") Duration refresh) {}

    /**
     * The operator console at {@code /console/} (docs/console.md): static files and a client of the
     * admin API, nothing more.
     *
     * @param enabled serve it; {@code false}: everything under {@code /console/} answers 404
     * @param oidc signing in with the organisation's OpenID provider
     */
    public record Console(
            @DefaultValue("true") boolean enabled,
            @Valid @DefaultValue Oidc oidc) {}

    /**
     * The OpenID provider operators sign in with (authorization code with PKCE, the console being a
     * public client); the ID token it gives is exchanged at {@code /token} for an admin token.
     *
     * @param issuer the provider's issuer URL, where {@code /.well-known/openid-configuration} is; unset:
     *     signing in takes a pasted admin token only
     * @param clientId the console's client id at the provider (a public client, no secret)
     * @param scopes what the console asks the provider for; {@code openid} is always asked for
     */
    public record Oidc(
            URI issuer,
            String clientId,
            @DefaultValue("openid") List<String> scopes) {

        public Oidc {
            if (issuer != null) {
                if (!issuer.isAbsolute()
                        || issuer.getHost() == null
                        || !("https".equals(issuer.getScheme()) || "http".equals(issuer.getScheme()))
                        || issuer.getRawQuery() != null
                        || issuer.getRawFragment() != null
                        || issuer.getRawUserInfo() != null) {
                    throw new IllegalArgumentException(
                            "ferry.console.oidc.issuer must be an absolute http(s) URL without query, fragment or"
                                    + " user info, such as https://login.example.com, not '" + issuer + "'");
                }
                if (clientId == null || clientId.isBlank()) {
                    throw new IllegalArgumentException(
                            "ferry.console.oidc.client-id is required with ferry.console.oidc.issuer: the console's"
                                    + " client id at the provider");
                }
            }
        }

        /** The scopes asked for, {@code openid} first and once. */
        public List<String> requestedScopes() {
            LinkedHashSet<String> requested = new LinkedHashSet<>();
            requested.add("openid");
            scopes.stream().map(String::trim).filter(scope -> !scope.isEmpty()).forEach(requested::add);
            return List.copyOf(requested);
        }
    }
}
