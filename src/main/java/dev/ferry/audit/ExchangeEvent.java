package dev.ferry.audit;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One token exchange, as the audit log keeps it. Holds no token: the issued token is known by
 * {@code tokenId}, the subject token by its issuer, subject and claims.
 *
 * @param exchangeId the id given to the caller (error body, or response header on success)
 * @param outcome {@code issued} or {@code refused}
 * @param error the OAuth error code, when refused
 * @param errorDescription what the caller was told
 * @param detail the full cause, for operators only
 * @param issuer the configured issuer's name, when the token named a known one
 * @param subject the upstream {@code sub}, when the token was verified
 * @param claims every claim of the verified subject token (no token is kept, but what was decided on is)
 * @param target the requested audience or resource
 * @param requestedScopes scopes the caller asked for (null: none named)
 * @param grantedScopes scopes issued
 * @param matchedRules rules whose conditions all held
 * @param decision the policy's reasons: every rule evaluated, each condition's expected and actual values
 * @param tokenId the issued token's {@code jti}
 * @param tokenExpiresAt the issued token's {@code exp}
 * @param clientAddress the caller's address as the server saw it
 * @param dpopJkt the RFC 7638 thumbprint of the key of the valid DPoP proof the request carried: for an
 *     issued token, the key it is bound to ({@code cnf.jkt}, {@code token_type: DPoP}); null without one
 */
public record ExchangeEvent(
        String exchangeId,
        Instant occurredAt,
        Outcome outcome,
        String error,
        String errorDescription,
        String detail,
        String issuer,
        String subject,
        JsonNode claims,
        String target,
        List<String> requestedScopes,
        List<String> grantedScopes,
        List<String> matchedRules,
        Object decision,
        String tokenId,
        Instant tokenExpiresAt,
        String clientAddress,
        String dpopJkt) {

    /** How an exchange ended. */
    public enum Outcome {
        ISSUED,
        REFUSED;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * This issued exchange's record when its token was not handed out: its event could not be stored
     * in time, and the caller was answered {@code temporarily_unavailable} instead.
     */
    ExchangeEvent undelivered() {
        return new ExchangeEvent(
                exchangeId,
                occurredAt,
                Outcome.REFUSED,
                "temporarily_unavailable",
                "Ferry cannot serve this request right now; retry later",
                "granted, but not handed out: the audit log could not store the issued event within ferry.audit.max-wait",
                issuer,
                subject,
                claims,
                target,
                requestedScopes,
                null,
                matchedRules,
                decision,
                null,
                null,
                clientAddress,
                dpopJkt);
    }

    public static Builder builder(String exchangeId, Instant occurredAt, String clientAddress) {
        return new Builder(exchangeId, occurredAt, clientAddress);
    }

    /** Collects an exchange's facts as they become known; ends as issued or refused. */
    public static final class Builder {
        private final String exchangeId;
        private final Instant occurredAt;
        private final String clientAddress;
        private String issuer;
        private String subject;
        private JsonNode claims;
        private String target;
        private List<String> requestedScopes;
        private List<String> grantedScopes;
        private List<String> matchedRules;
        private Object decision;
        private String dpopJkt;

        private Builder(String exchangeId, Instant occurredAt, String clientAddress) {
            this.exchangeId = exchangeId;
            this.occurredAt = occurredAt;
            this.clientAddress = clientAddress;
        }

        public String exchangeId() {
            return exchangeId;
        }

        /** The issuer's name, once known; else null. */
        public String issuerName() {
            return issuer;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Builder claims(JsonNode claims) {
            this.claims = claims;
            return this;
        }

        public Builder target(String target) {
            this.target = target;
            return this;
        }

        public Builder requestedScopes(List<String> requestedScopes) {
            this.requestedScopes = requestedScopes;
            return this;
        }

        public Builder grantedScopes(List<String> grantedScopes) {
            this.grantedScopes = grantedScopes;
            return this;
        }

        public Builder matchedRules(List<String> matchedRules) {
            this.matchedRules = matchedRules;
            return this;
        }

        public Builder decision(Object decision) {
            this.decision = decision;
            return this;
        }

        /** The thumbprint of the key of the request's valid DPoP proof. */
        public Builder dpopJkt(String dpopJkt) {
            this.dpopJkt = dpopJkt;
            return this;
        }

        public ExchangeEvent issued(String tokenId, Instant tokenExpiresAt) {
            return new ExchangeEvent(
                    exchangeId,
                    occurredAt,
                    Outcome.ISSUED,
                    null,
                    null,
                    null,
                    issuer,
                    subject,
                    claims,
                    target,
                    requestedScopes,
                    grantedScopes,
                    matchedRules,
                    decision,
                    tokenId,
                    tokenExpiresAt,
                    clientAddress,
                    dpopJkt);
        }

        public ExchangeEvent refused(String error, String errorDescription, String detail) {
            return new ExchangeEvent(
                    exchangeId,
                    occurredAt,
                    Outcome.REFUSED,
                    error,
                    errorDescription,
                    detail,
                    issuer,
                    subject,
                    claims,
                    target,
                    requestedScopes,
                    null,
                    matchedRules,
                    decision,
                    null,
                    null,
                    clientAddress,
                    dpopJkt);
        }
    }
}
