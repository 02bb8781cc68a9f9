package dev.ferry.exchange;

import dev.ferry.audit.AuditIds;
import dev.ferry.audit.AuditLog;
import dev.ferry.audit.AuditUnavailable;
import dev.ferry.audit.ExchangeEvent;
import dev.ferry.dpop.DpopProofRejected;
import dev.ferry.dpop.DpopProofVerifier;
import dev.ferry.dpop.VerifiedDpopProof;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.federation.SubjectTokenVerifier;
import dev.ferry.federation.VerifiedSubjectToken;
import dev.ferry.policy.Decision;
import dev.ferry.policy.DecisionRequest;
import dev.ferry.policy.PolicyEvaluator;
import dev.ferry.token.IssuedToken;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One exchange, top to bottom: parse the RFC 8693 request, verify the subject token, verify the DPoP
 * proof when there is one (RFC 9449), decide, use up the {@code jti}s, mint, and record what happened,
 * in that order. The replay guards are the only steps run again: the subject token's, to give back a
 * {@code jti} whose token never left Ferry; the proof's, to spend the proof of an exchange refused for
 * its subject token after the transaction that would have used both was rolled back. Every exchange that
 * reaches this class passes {@link #record}, which writes its one audit event: an issued token only
 * once its event is stored (docs/architecture.md, 5. Audit), a refusal without waiting.
 */
@Service
class TokenExchangeService {

    private static final Logger log = LoggerFactory.getLogger(TokenExchangeService.class);

    private final SubjectTokenVerifier verifier;
    private final DpopProofVerifier proofs;
    private final PolicyEvaluator policy;
    private final TokenMinter minter;
    private final AuditLog audit;
    private final RateLimits rateLimits;
    private final Clock clock;
    private final TransactionTemplate transactions;

    TokenExchangeService(
            SubjectTokenVerifier verifier,
            DpopProofVerifier proofs,
            PolicyEvaluator policy,
            TokenMinter minter,
            AuditLog audit,
            RateLimits rateLimits,
            Clock clock,
            TransactionTemplate transactions) {
        this.verifier = verifier;
        this.proofs = proofs;
        this.policy = policy;
        this.minter = minter;
        this.audit = audit;
        this.rateLimits = rateLimits;
        this.clock = clock;
        this.transactions = transactions;
    }

    /** A token granted and minted, not yet handed out: its audit event comes first. */
    private record Granted(VerifiedSubjectToken subject, IssuedToken token, String issuedTokenType) {}

    ExchangeOutcome exchange(HttpServletRequest http) {
        ExchangeEvent.Builder event = ExchangeEvent.builder(AuditIds.next(), clock.instant(), http.getRemoteAddr());
        Granted granted = null;
        ExchangeError error = null;
        try {
            granted = grant(TokenExchangeRequestParser.parse(http), event);
        } catch (RuntimeException e) {
            error = ExchangeError.from(e, event.exchangeId());
        }
        return record(event, granted, error);
    }

    /** Verify, decide, mint (RFC 8693 §2.2), filling in the event as each fact becomes known. */
    private Granted grant(TokenExchangeRequest request, ExchangeEvent.Builder event) {
        event.target(request.target()).requestedScopes(request.requestedScopes());
        VerifiedSubjectToken subject;
        try {
            subject = verifier.verify(request.subjectToken(), clock.instant());
        } catch (SubjectTokenRejected e) {
            event.issuer(e.issuerName());
            throw ExchangeError.rejected(e);
        }
        event.issuer(subject.issuerName()).subject(subject.subject()).claims(subject.claims());
        rateLimits.checkSubject(subject.issuerName(), subject.subject());
        VerifiedDpopProof proof = verifyProof(request, event);
        String dpopJkt = proof == null ? null : proof.jkt();
        Decision decision = policy.decide(new DecisionRequest(
                subject.issuerName(), subject.claims(), request.target(), request.requestedScopes(), dpopJkt != null));
        event.matchedRules(decision.matchedRules()).decision(decision.summary());
        if (decision instanceof Decision.Refused refused) {
            useProof(proof);
            throw ExchangeError.refused(refused);
        }
        Decision.Granted granted = (Decision.Granted) decision;
        useOnce(subject, proof);
        try {
            IssuedToken token = minter.mint(new MintRequest(
                    subject.issuerName(),
                    subject.issuerUrl(),
                    subject.subject(),
                    subject.jwtId(),
                    request.target(),
                    granted.scopes(),
                    granted.lifetime(),
                    subject.carriedClaims(),
                    dpopJkt));
            event.grantedScopes(granted.scopes());
            return new Granted(subject, token, request.requestedTokenType());
        } catch (RuntimeException e) {
            giveBack(subject, event);
            throw e;
        }
    }

    /**
     * The DPoP proof, when the request carries one (RFC 9449 §5), verified: the thumbprint of its key is
     * what the token is bound to; null without a proof. A bad proof refuses the exchange: a token is never
     * issued unbound to a caller who asked for a bound one. Its {@code jti} is used up with the subject
     * token's ({@link #useOnce}).
     */
    private VerifiedDpopProof verifyProof(TokenExchangeRequest request, ExchangeEvent.Builder event) {
        try {
            VerifiedDpopProof proof =
                    proofs.verify(request.dpopProofs(), clock.instant()).orElse(null);
            event.dpopJkt(proof == null ? null : proof.jkt());
            return proof;
        } catch (DpopProofRejected e) {
            throw ExchangeError.dpopRejected(e);
        }
    }

    /**
     * Uses up, for a granted exchange, the DPoP proof's {@code jti} (when there is a proof) and the
     * subject token's (when its issuer asks for replay protection), on every replica at once. With both,
     * in one transaction: one commit instead of two. A subject token used before refuses the exchange, and
     * its proof still counts as received.
     */
    private void useOnce(VerifiedSubjectToken subject, VerifiedDpopProof proof) {
        if (proof == null || !subject.replayProtection()) {
            useProof(proof);
            useSubject(subject);
            return;
        }
        ExchangeError subjectRefused = transactions.execute(status -> {
            useProof(proof); // a replayed proof leaves by exception: rolled back, refused
            try {
                useSubject(subject);
                return null;
            } catch (ExchangeError e) {
                status.setRollbackOnly();
                return e;
            }
        });
        if (subjectRefused != null) {
            useProof(proof);
            throw subjectRefused;
        }
    }

    /** Uses up the proof's {@code jti}; once received, a proof is spent whatever the answer (RFC 9449 §11.1). */
    private void useProof(VerifiedDpopProof proof) {
        if (proof == null) {
            return;
        }
        try {
            proofs.useOnce(proof);
        } catch (DpopProofRejected e) {
            throw ExchangeError.dpopRejected(e);
        }
    }

    private void useSubject(VerifiedSubjectToken subject) {
        try {
            verifier.useOnce(subject);
        } catch (SubjectTokenRejected e) {
            throw ExchangeError.rejected(e);
        }
    }

    /**
     * The one place every exchange passes: its audit event, written once. An issued token is handed
     * out only once its event is stored; when it cannot be stored in time the token never leaves
     * Ferry, its {@code jti} is given back (so the client's retry is served), and the answer is a
     * retryable 503. A refusal is queued and answered at once (a lost refusal hands out nothing).
     */
    private ExchangeOutcome record(ExchangeEvent.Builder event, Granted granted, ExchangeError error) {
        if (granted != null) {
            try {
                audit.recordIssued(
                        event.issued(granted.token().tokenId(), granted.token().expiresAt()));
                return new ExchangeOutcome.Issued(
                        event.exchangeId(), event.issuerName(), granted.token(), granted.issuedTokenType());
            } catch (AuditUnavailable e) {
                giveBack(granted.subject(), event);
                log.error(
                        "Exchange {} refused: the audit log cannot store its event ({})",
                        event.exchangeId(),
                        e.getMessage());
                return new ExchangeOutcome.Refused(
                        event.exchangeId(), event.issuerName(), ExchangeError.auditUnavailable(e));
            }
        }
        log.info(
                "Exchange {} refused: {}: {}", event.exchangeId(), error.error().getErrorCode(), error.detail());
        try {
            audit.record(
                    event.refused(error.error().getErrorCode(), error.error().getDescription(), error.detail()));
        } catch (AuditUnavailable full) {
            log.error("Exchange {}: refusal not audited, the audit log cannot keep up", event.exchangeId());
        }
        return new ExchangeOutcome.Refused(event.exchangeId(), event.issuerName(), error);
    }

    /** Undoes the replay guard's use of a token that never left Ferry, so the same subject token may come again. */
    private void giveBack(VerifiedSubjectToken subject, ExchangeEvent.Builder event) {
        try {
            verifier.giveBack(subject);
        } catch (DataAccessException e) {
            log.warn(
                    "Exchange {}: the subject token's jti stays used, the database refused to release it: {}",
                    event.exchangeId(),
                    e.getClass().getName());
        }
    }
}
