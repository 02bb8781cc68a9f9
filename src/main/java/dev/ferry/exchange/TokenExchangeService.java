package dev.ferry.exchange;

import dev.ferry.audit.AuditLog;
import dev.ferry.audit.ExchangeEvent;
import dev.ferry.audit.ExchangeEvent.Outcome;
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
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.stereotype.Service;

/**
 * One exchange, top to bottom: verify the subject token, decide, mint, and record what happened.
 * Every exchange that reaches this class leaves exactly one audit event, issued or refused.
 */
@Service
class TokenExchangeService {

    private final SubjectTokenVerifier verifier;
    private final PolicyEvaluator policy;
    private final TokenMinter minter;
    private final AuditLog audit;
    private final Clock clock;

    TokenExchangeService(
            SubjectTokenVerifier verifier, PolicyEvaluator policy, TokenMinter minter, AuditLog audit, Clock clock) {
        this.verifier = verifier;
        this.policy = policy;
        this.minter = minter;
        this.audit = audit;
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
            throw rejected(e);
        }
        event.issuer(subject.issuerName()).subject(subject.subject()).claims(subject.carriedClaims());
        Decision decision = policy.decide(
                new DecisionRequest(subject.issuerName(), subject.claims(), request.target(), request.requestedScopes()));
        event.matchedRules(decision.matchedRules()).decision(decision.trace());
        if (decision instanceof Decision.Refused refused) {
            throw ExchangeError.badRequest(refused.error(), refused.description());
        }
        Decision.Granted granted = (Decision.Granted) decision;
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
    }

    /** Records a refused exchange. */
    void refused(ExchangeEvent.Builder event, ExchangeError error) {
        audit.record(event.refused(error.error().getErrorCode(), error.error().getDescription(), error.detail()));
    }

    private static ExchangeError rejected(SubjectTokenRejected e) {
        if (e.reason() == SubjectTokenRejected.Reason.KEYS_UNAVAILABLE) {
            return new ExchangeError(OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE, e.getMessage(), HttpStatus.SERVICE_UNAVAILABLE, e.detail());
        }
        return new ExchangeError(OAuth2ErrorCodes.INVALID_REQUEST, e.getMessage(), HttpStatus.BAD_REQUEST, e.reason() + ": " + e.detail());
    }
}
