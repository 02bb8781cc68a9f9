package dev.ferry.exchange;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A dry run of an exchange, for operators ({@code POST /admin/v1/evaluate}): a subject token, claims,
 * or the id of an audited exchange.
 *
 * @param issuer the issuer's name; required with {@code claims}, optional (checked) with {@code token}
 * @param token a subject token, validated as {@code /token} would (its {@code jti} is not used up)
 * @param claims claims to decide on as if a valid token of {@code issuer} carried them
 * @param exchangeId an audited exchange (the {@code exchange_id} a CI log shows), given alone: its verified
 *     claims, target and requested scopes, decided again with today's rules
 * @param audience the target, as the {@code audience} parameter of {@code /token}
 * @param scope the {@code scope} parameter, or null
 * @param at the instant to validate the token at (default now): replay a past failure
 * @param dpopProof whether the request would carry a valid DPoP proof (RFC 9449), for rules with {@code
 *     requireDpop}; default false. With {@code exchangeId}, the audited exchange says whether it had one
 */
@Schema(
        description = "A dry run of POST /token: a subject token (or claims) with the target and scope, or an audited"
                + " exchange's id alone",
        example = """
                {"issuer": "github", "claims": {"sub": "repo:acme/app:ref:refs/heads/main", "repository_owner_id": "4242",
                 "ref": "refs/heads/main"}, "audience": "https://deploy.example.com", "scope": "deploy"}""")
public record EvaluationRequest(
        String issuer,
        String token,
        JsonNode claims,
        String exchangeId,
        String audience,
        String scope,
        Instant at,
        Boolean dpopProof) {}
