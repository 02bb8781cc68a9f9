package dev.ferry.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Default claim sets of CI ID tokens and the issuer's discovery document, shaped like the real ones.
 *
 * @see <a href="https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/about-security-hardening-with-openid-connect">GitHub Actions OIDC</a>
 * @see <a href="https://docs.gitlab.com/ci/secrets/id_token_authentication/">GitLab CI ID tokens</a>
 */
public final class CiClaims {

    static final String SHA = "8d1f0a5c3e7b9f2a4c6e8b0d1f3a5c7e9b2d4f60";

    private static final List<String> GITHUB_CLAIMS = List.of(
            "sub",
            "aud",
            "exp",
            "iat",
            "iss",
            "jti",
            "nbf",
            "ref",
            "sha",
            "repository",
            "repository_id",
            "repository_owner",
            "repository_owner_id",
            "enterprise",
            "enterprise_id",
            "run_id",
            "run_number",
            "run_attempt",
            "actor",
            "actor_id",
            "workflow",
            "workflow_ref",
            "workflow_sha",
            "head_ref",
            "base_ref",
            "event_name",
            "ref_type",
            "ref_protected",
            "environment",
            "environment_node_id",
            "job_workflow_ref",
            "job_workflow_sha",
            "repository_visibility",
            "runner_environment",
            "issuer_scope");

    private static final List<String> GITLAB_CLAIMS = List.of(
            "namespace_id",
            "namespace_path",
            "project_id",
            "project_path",
            "user_id",
            "user_login",
            "user_email",
            "pipeline_id",
            "pipeline_source",
            "job_id",
            "ref_path",
            "environment_protected",
            "deployment_tier",
            "environment_action",
            "runner_id",
            "project_visibility",
            "ci_config_ref_uri",
            "ci_config_sha");

    private CiClaims() {}

    /** GitHub Actions: a push to {@code main} of the private repository {@code acme/app}, workflow "deploy". */
    static Map<String, Object> github(String issuer, String audience, Instant now, Duration lifetime) {
        return github(issuer, audience, "acme", "4242", "123456", now, lifetime);
    }

    /**
     * GitHub Actions: a push to {@code main} of the private repository {@code <owner>/app}, workflow
     * "deploy", with the claims in GitHub's order. The benchmarks vary the owner.
     */
    public static Map<String, Object> github(
            String issuer,
            String audience,
            String owner,
            String ownerId,
            String repositoryId,
            Instant now,
            Duration lifetime) {
        String repository = owner + "/app";
        String workflowRef = repository + "/.github/workflows/deploy.yml@refs/heads/main";
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("sub", "repo:" + repository + ":ref:refs/heads/main");
        claims.put("aud", audience);
        claims.put("ref", "refs/heads/main");
        claims.put("sha", SHA);
        claims.put("repository", repository);
        claims.put("repository_owner", owner);
        claims.put("actor_id", "1");
        claims.put("repository_visibility", "private");
        claims.put("repository_id", repositoryId);
        claims.put("repository_owner_id", ownerId);
        claims.put("run_id", "1001");
        claims.put("run_number", "7");
        claims.put("run_attempt", "1");
        claims.put("runner_environment", "github-hosted");
        claims.put("actor", "octocat");
        claims.put("workflow", "deploy");
        claims.put("head_ref", "");
        claims.put("base_ref", "");
        claims.put("event_name", "push");
        claims.put("ref_protected", "true");
        claims.put("ref_type", "branch");
        claims.put("workflow_ref", workflowRef);
        claims.put("workflow_sha", SHA);
        claims.put("job_workflow_ref", workflowRef);
        claims.put("job_workflow_sha", SHA);
        putTimes(claims, issuer, now, lifetime);
        return claims;
    }

    /** GitLab CI: a push pipeline on branch {@code main} of the project {@code acme/app}. */
    static Map<String, Object> gitlab(String issuer, String audience, Instant now, Duration lifetime) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("namespace_id", "72");
        claims.put("namespace_path", "acme");
        claims.put("project_id", "20");
        claims.put("project_path", "acme/app");
        claims.put("user_id", "1");
        claims.put("user_login", "alice");
        claims.put("user_email", "alice@example.com");
        claims.put("pipeline_id", "574");
        claims.put("pipeline_source", "push");
        claims.put("job_id", "302");
        claims.put("ref", "main");
        claims.put("ref_type", "branch");
        claims.put("ref_path", "refs/heads/main");
        claims.put("ref_protected", "true");
        claims.put("runner_id", 1);
        claims.put("runner_environment", "gitlab-hosted");
        claims.put("sha", SHA);
        claims.put("project_visibility", "private");
        claims.put("ci_config_ref_uri", host(issuer) + "/acme/app//.gitlab-ci.yml@refs/heads/main");
        claims.put("ci_config_sha", SHA);
        claims.put("jti", UUID.randomUUID().toString());
        putTimes(claims, issuer, now, lifetime);
        claims.put("sub", "project_path:acme/app:ref_type:branch:ref:main");
        claims.put("aud", audience);
        return claims;
    }

    /** The discovery document of an issuer. */
    static Map<String, Object> discovery(String issuer, String jwksUri) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", jwksUri);
        doc.put("subject_types_supported", List.of("public", "pairwise"));
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("claims_supported", claimsSupported());
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("scopes_supported", List.of("openid"));
        return doc;
    }

    private static List<String> claimsSupported() {
        List<String> all = new ArrayList<>(GITHUB_CLAIMS);
        all.addAll(GITLAB_CLAIMS);
        return all;
    }

    private static void putTimes(Map<String, Object> claims, String issuer, Instant now, Duration lifetime) {
        claims.put("iss", issuer);
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
    }

    private static String host(String issuer) {
        int scheme = issuer.indexOf("://");
        return scheme < 0 ? issuer : issuer.substring(scheme + 3);
    }
}
