package dev.ferry.exchange;

import dev.ferry.audit.AuditEntry;
import dev.ferry.audit.AuditQuery;
import dev.ferry.core.DefinitionException;
import dev.ferry.federation.DryRunClaims;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.federation.SubjectTokenVerifier;
import dev.ferry.federation.VerifiedSubjectToken;
import dev.ferry.policy.Decision;
import dev.ferry.policy.DecisionRequest;
import dev.ferry.policy.PolicyEvaluator;
import dev.ferry.token.MintRequest;
import dev.ferry.token.TokenMinter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A dry run of {@code POST /token}, for operators ({@code POST /admin/v1/evaluate}), along the same
 * path as an exchange: the subject token checked by the same verifier (without using up its {@code
 * jti}), the decision by the same evaluator with every rule of the issuer traced ({@link
 * PolicyEvaluator#explain}), and the claims the same minter would sign. Nothing is issued, used up
 * or recorded. Three ways in: a token (validated as of {@code at}), claims an operator types, or an
 * audited exchange's id (its verified claims, target and requested scopes, decided with today's rules;
 * the token is not re-verified, as Ferry never keeps it).
 */
@Component
public class DryRun {

    private final SubjectTokenVerifier verifier;
    private final DryRunClaims claims;
    private final PolicyEvaluator policy;
    private final TokenMinter minter;
    private final AuditQuery audit;
    private final Clock clock;

    DryRun(
            SubjectTokenVerifier verifier,
            DryRunClaims claims,
            PolicyEvaluator policy,
            TokenMinter minter,
            AuditQuery audit,
            Clock clock) {
        this.verifier = verifier;
        this.claims = claims;
        this.policy = policy;
        this.minter = minter;
        this.audit = audit;
        this.clock = clock;
    }

    public Evaluation evaluate(EvaluationRequest in) {
        if (in.exchangeId() != null) {
            return again(in);
        }
        Instant at = in.at() != null ? in.at() : clock.instant();
        if (in.audience() == null || in.audience().isBlank()) {
            throw new DefinitionException.Invalid(
                    "audience", "audience is required: the target /token would be asked for");
        }
        List<String> scopes = scopes(in.scope());
        DryRunSubject subject;
        try {
            subject = DryRunSubject.of(in, at, verifier, claims);
        } catch (SubjectTokenRejected e) {
            return Evaluation.notDecided(
                    ExchangeError.rejected(e), DryRunSubject.invalid(e, at, in.token() != null), null);
        }
        return decide(subject, in.audience(), scopes, Boolean.TRUE.equals(in.dpopProof()), null);
    }

    /** The audited exchange {@code in.exchangeId()}, explained again from what the audit log kept. */
    private Evaluation again(EvaluationRequest in) {
        if (in.token() != null
                || in.claims() != null
                || in.issuer() != null
                || in.audience() != null
                || in.scope() != null
                || in.at() != null
                || in.dpopProof() != null) {
            throw new DefinitionException.Invalid(
                    "exchangeId",
                    "give exchangeId alone: the audited exchange has its own claims, target, scopes and DPoP proof");
        }
        AuditEntry entry = audit.get(in.exchangeId())
                .filter(e -> "exchange".equals(e.kind()))
                .orElseThrow(() -> new DefinitionException.NotFound("exchange", in.exchangeId()));
        List<String> requested = strings(entry.requestedScopes());
        Evaluation.Audited audited = new Evaluation.Audited(
                entry.id(),
                entry.occurredAt(),
                entry.outcome(),
                entry.error(),
                entry.errorDescription(),
                entry.detail(),
                entry.target(),
                requested);
        if (entry.issuer() == null || !(entry.claims() instanceof ObjectNode verified) || entry.target() == null) {
            // Refused before its token was verified (or before it named a target): nothing to decide on.
            return Evaluation.notDecided(
                    ExchangeError.badRequest(
                            entry.error() != null ? entry.error() : "invalid_request",
                            entry.errorDescription() != null ? entry.errorDescription() : "the exchange was refused"),
                    new Evaluation.TokenValidation(
                            false, false, null, entry.issuer(), null, null, null, entry.detail(), false),
                    audited);
        }
        try {
            return decide(
                    DryRunSubject.fromClaims(entry.issuer(), verified, claims),
                    entry.target(),
                    requested,
                    entry.dpopJkt() != null,
                    audited);
        } catch (SubjectTokenRejected e) {
            return Evaluation.notDecided(ExchangeError.rejected(e), DryRunSubject.invalid(e, null, false), audited);
        }
    }

    private Evaluation decide(
            DryRunSubject subject,
            String audience,
            List<String> scopes,
            boolean dpopProof,
            Evaluation.Audited audited) {
        VerifiedSubjectToken token = subject.token();
        Decision decision =
                policy.explain(new DecisionRequest(token.issuerName(), token.claims(), audience, scopes, dpopProof));
        if (decision instanceof Decision.Refused refused) {
            return Evaluation.refused(refused, subject.validation(), dpopProof, audited);
        }
        Decision.Granted granted = (Decision.Granted) decision;
        return Evaluation.allowed(
                granted,
                minter.preview(new MintRequest(
                        token.issuerName(),
                        token.issuerUrl(),
                        token.subject(),
                        token.jwtId(),
                        audience,
                        granted.scopes(),
                        granted.lifetime(),
                        token.carriedClaims())),
                subject.validation(),
                dpopProof,
                audited);
    }

    private static List<String> scopes(String scope) {
        try {
            return scope == null ? null : TokenExchangeRequestParser.scopes(scope);
        } catch (ExchangeError e) {
            throw new DefinitionException.Invalid("scope", e.getMessage());
        }
    }

    /** A JSON array of strings as a list; null for none (the caller named no scope). */
    private static List<String> strings(JsonNode array) {
        if (array == null || !array.isArray()) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        array.forEach(value -> strings.add(value.asString()));
        return List.copyOf(strings);
    }
}
