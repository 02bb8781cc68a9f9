package dev.ferry.exchange;

import dev.ferry.token.IssuedToken;

/**
 * How one {@code POST /token} ended, each with the id that finds it in the audit log, and the
 * configured issuer the subject token named, when it named one (for metrics).
 */
sealed interface ExchangeOutcome {

    String exchangeId();

    String issuer();

    /** A token, whose audit event is stored: RFC 8693 §2.2.1. */
    record Issued(String exchangeId, String issuer, IssuedToken token, String issuedTokenType)
            implements ExchangeOutcome {}

    /** An error: RFC 8693 §2.2.2, RFC 6749 §5.2. */
    record Refused(String exchangeId, String issuer, ExchangeError error) implements ExchangeOutcome {}
}
