package dev.ferry.exchange;

import dev.ferry.definition.DefinitionException;
import dev.ferry.federation.SubjectTokenRejected;
import dev.ferry.federation.SubjectTokenVerifier;
import dev.ferry.federation.VerifiedSubjectToken;
import java.time.Instant;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The caller of a dry run: a verified subject token, or claims an operator typed in. */
record DryRunSubject(
        String issuer,
        String issuerUrl,
        String subject,
        String jwtId,
        ObjectNode claims,
        Map<String, Object> carriedClaims,
        Evaluation.TokenValidation validation) {

    static DryRunSubject of(EvaluationRequest in, Instant at, SubjectTokenVerifier verifier)
            throws SubjectTokenRejected {
        if ((in.token() == null) == (in.claims() == null || in.claims().isNull())) {
            throw new DefinitionException.Invalid("token", "give either token or claims");
        }
        return in.token() != null ? fromToken(in, at, verifier) : fromClaims(in, verifier);
    }

    private static DryRunSubject fromToken(EvaluationRequest in, Instant at, SubjectTokenVerifier verifier)
            throws SubjectTokenRejected {
        VerifiedSubjectToken token = verifier.verify(in.token(), at);
        if (in.issuer() != null && !in.issuer().equals(token.issuerName())) {
            throw new DefinitionException.Invalid(
                    "issuer", "the token comes from issuer '" + token.issuerName() + "', not '" + in.issuer() + "'");
        }
        Evaluation.TokenValidation validation = new Evaluation.TokenValidation(
                true, true, at, token.issuerName(), token.subject(), token.expiresAt(), null, null, false);
        return new DryRunSubject(
                token.issuerName(),
                token.issuerUrl(),
                token.subject(),
                token.jwtId(),
                token.claims(),
                token.carriedClaims(),
                validation);
    }

    /** Claims instead of a token: no signature or time to check, but what {@code /token} checks of claims still holds. */
    private static DryRunSubject fromClaims(EvaluationRequest in, SubjectTokenVerifier verifier)
            throws SubjectTokenRejected {
        if (in.issuer() == null || verifier.issuerUrl(in.issuer()) == null) {
            throw new DefinitionException.Invalid(
                    "issuer", "issuer must name a configured issuer when claims are given");
        }
        if (!(in.claims() instanceof ObjectNode claims)) {
            throw new DefinitionException.Invalid("claims", "claims must be a JSON object, as a token's payload");
        }
        String subject = verifier.checkClaims(in.issuer(), claims);
        JsonNode jti = claims.get("jti");
        return new DryRunSubject(
                in.issuer(),
                verifier.issuerUrl(in.issuer()),
                subject,
                jti != null && jti.isString() ? jti.stringValue() : null,
                claims,
                verifier.carriedClaims(in.issuer(), claims),
                new Evaluation.TokenValidation(false, null, null, in.issuer(), subject, null, null, null, false));
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
                e.getMessage(),
                false);
    }
}
