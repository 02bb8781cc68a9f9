package dev.ferry.federation;

import static dev.ferry.federation.SubjectTokenRejected.Reason.UNKNOWN_ISSUER;

import dev.ferry.web.CallerText;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Claims an operator's dry run decides on instead of a token: typed in, or kept by the audit log. No
 * signature or time to check, but what {@link SubjectTokenVerifier} checks of claims still holds (the
 * issuer is configured and enabled, {@code sub} a non-empty string, {@code jti} a string), so a dry run
 * never allows what {@code /token} refuses.
 */
@Component
public class DryRunClaims {

    private final IssuerRegistry registry;

    DryRunClaims(IssuerRegistry registry) {
        this.registry = registry;
    }

    /** Whether an issuer of that name is configured. */
    public boolean isConfigured(String issuerName) {
        return registry.byName(issuerName) != null;
    }

    /**
     * {@code claims} as if a valid token of the issuer named {@code issuerName} carried them: what the
     * decision and the minter read. Nothing is used up; the answer's {@code expiresAt} is null.
     */
    public VerifiedSubjectToken check(String issuerName, ObjectNode claims) throws SubjectTokenRejected {
        TrustedIssuer issuer = registry.byName(issuerName);
        if (issuer == null) {
            throw new SubjectTokenRejected(
                    UNKNOWN_ISSUER, "issuer " + CallerText.shown(issuerName) + " is not configured");
        }
        SubjectTokenVerifier.requireEnabled(issuer);
        try {
            return new VerifiedSubjectToken(
                    issuer.name(),
                    issuer.issuerUrl(),
                    SubjectTokenVerifier.requireString(claims, "sub"),
                    SubjectTokenVerifier.optionalString(claims, "jti"),
                    null,
                    claims,
                    SubjectTokenVerifier.carried(claims, issuer),
                    false);
        } catch (SubjectTokenRejected e) {
            throw e.forIssuer(issuer.name());
        }
    }
}
