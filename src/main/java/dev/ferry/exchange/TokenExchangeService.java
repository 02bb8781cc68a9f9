package dev.ferry.exchange;

import dev.ferry.audit.AuditLog;
import dev.ferry.audit.ExchangeEvent;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.federation.SubjectTokenVerifier;
import dev.ferry.federation.VerifiedSubjectToken;
import dev.ferry.policy.Decision;
import dev.ferry.policy.DecisionRequest;
import dev.ferry.policy.PolicyEvaluator;
import dev.ferry.token.IssuedToken;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

/**
 * One exchange, top to bottom: verify the subject token, decide, mint, and record what happened.
 * Every exchange that reaches this class leaves exactly one audit event, issued or refused.
 */
@Service
class TokenExchangeService {

    private static final Logger log = LoggerFactory.getLogger(TokenExchangeService.class);

    private final SubjectTokenVerifier verifier;
    private final PolicyEvaluator policy;
    private final TokenMinter minter;
    private final AuditLog audit;
    private final RateLimits rateLimits;
    private final Clock clock;

    TokenExchangeService(
            SubjectTokenVerifier verifier,
            PolicyEvaluator policy,
            TokenMinter minter,
            AuditLog audit,
            RateLimits rateLimits,
            Clock clock) {
        this.verifier = verifier;
        this.policy = policy;
        this.minter = minter;
        this.audit = audit;
        this.rateLimits = rateLimits;
        this.clock = clock;
    }

    IssuedToken exchange(TokenExchangeRequest request, ExchangeEvent.Builder event) {
        event.target(request.target()).requestedScopes(request.requestedScopes());
        Instant now = clock.instant();
        VerifiedSubjectToken subject;
        try {
            subject = verifier.verify(request.subjectToken(), now);
        } catch (SubjectTokenRejected e) {
            event.issuer(e.issuerName());
            throw ExchangeError.rejected(e);
        }
        event.issuer(subject.issuerName()).subject(subject.subject()).claims(subject.claims());
        rateLimits.checkSubject(subject.issuerName(), subject.subject());
        Decision decision = policy.decide(new DecisionRequest(
                subject.issuerName(), subject.claims(), request.target(), request.requestedScopes()));
        event.matchedRules(decision.matchedRules()).decision(decision.summary());
        if (decision instanceof Decision.Refused refused) {
            throw ExchangeError.badRequest(refused.error(), refused.description());
        }
        Decision.Granted granted = (Decision.Granted) decision;
        try {
            verifier.useOnce(subject);
        } catch (SubjectTokenRejected e) {
            throw ExchangeError.rejected(e);
        }
        try {
            IssuedToken token = minter.mint(new MintRequest(
                    subject.issuerName(),
                    subject.issuerUrl(),
                    subject.subject(),
                    subject.jwtId(),
                    request.target(),
                    granted.scopes(),
                    granted.lifetime(),
                    subject.carriedClaims()));
            audit.record(event.grantedScopes(granted.scopes()).issued(token.tokenId(), token.expiresAt()));
            return token;
        } catch (RuntimeException e) {
            // The token was not returned (the audit log full, signing failed): the client's retry
            // with the same subject token must not be refused as a replay.
            giveBack(subject, event);
            throw e;
        }
    }

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

    /** Records a refused exchange. */
    void refused(ExchangeEvent.Builder event, ExchangeError error) {
        audit.record(event.refused(error.error().getErrorCode(), error.error().getDescription(), error.detail()));
    }
}
