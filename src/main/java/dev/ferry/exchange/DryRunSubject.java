package dev.ferry.exchange;

import dev.ferry.core.DefinitionException;
import dev.ferry.federation.DryRunClaims;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.federation.SubjectTokenVerifier;
import dev.ferry.federation.VerifiedSubjectToken;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * The caller of a dry run: a verified subject token, or claims (an operator's, or the audit log's)
 * checked as far as claims can be.
 */
record DryRunSubject(VerifiedSubjectToken token, Evaluation.TokenValidation validation) {

    static DryRunSubject of(EvaluationRequest in, Instant at, SubjectTokenVerifier verifier, DryRunClaims claims)
            throws SubjectTokenRejected {
        if ((in.token() == null) == (in.claims() == null || in.claims().isNull())) {
            throw new DefinitionException.Invalid("token", "give either token or claims");
        }
        if (in.token() != null) {
            return fromToken(in, at, verifier);
        }
        if (!(in.claims() instanceof ObjectNode object)) {
            throw new DefinitionException.Invalid("claims", "claims must be a JSON object, as a token's payload");
        }
        return fromClaims(in.issuer(), object, claims);
    }

    private static DryRunSubject fromToken(EvaluationRequest in, Instant at, SubjectTokenVerifier verifier)
            throws SubjectTokenRejected {
        VerifiedSubjectToken token = verifier.verify(in.token(), at);
        if (in.issuer() != null && !in.issuer().equals(token.issuerName())) {
            throw new DefinitionException.Invalid(
                    "issuer", "the token comes from issuer '" + token.issuerName() + "', not '" + in.issuer() + "'");
        }
        return new DryRunSubject(
                token,
                new Evaluation.TokenValidation(
                        true, true, at, token.issuerName(), token.subject(), token.expiresAt(), null, null, false));
    }

    /** Claims instead of a token: no signature or time to check, but what {@code /token} checks of claims still holds. */
    static DryRunSubject fromClaims(String issuer, ObjectNode claims, DryRunClaims checks) throws SubjectTokenRejected {
        if (issuer == null || !checks.isConfigured(issuer)) {
            throw new DefinitionException.Invalid(
                    "issuer", "issuer must name a configured issuer when claims are given");
        }
        VerifiedSubjectToken token = checks.check(issuer, claims);
        return new DryRunSubject(
                token,
                new Evaluation.TokenValidation(false, null, null, issuer, token.subject(), null, null, null, false));
    }

    /** The validation of a dry run that {@code e} refused; {@code tokenGiven} false when it refused claims. */
    static Evaluation.TokenValidation invalid(SubjectTokenRejected e, Instant at, boolean tokenGiven) {
        return new Evaluation.TokenValidation(
                tokenGiven,
                false,
                tokenGiven ? at : null,
                e.issuerName(),
                null,
                null,
                e.reason().name(),
                e.detail(),
                false);
    }
}
