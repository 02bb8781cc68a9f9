package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.dpop.JWKThumbprintConfirmation;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPIssuer;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPProtectedResourceRequestVerifier;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import dev.ferry.FerryIntegrationTest;
import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The GitHub Action of examples/github-action, run as a runner runs it (action.yml's step, in bash) against this
 * Ferry, with a stand-in for the runner's OIDC token endpoint that mints real ID tokens: what a workflow gets on
 * success, the annotation and hint of each refusal, and that neither token is ever printed.
 */
@DisabledIfSystemProperty(
        named = "ferry.test.database",
        matches = "postgresql",
        disabledReason = "the action's script does not depend on Ferry's database: it runs once, on H2")
class GitHubActionTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer github = new TestIssuer();

    private static final GitHubAction ACTION = new GitHubAction();
    private static final String OTHER_AUDIENCE = "https://ferry-audience.example.com";
    private static GitHubOidcEndpoint oidc;
    private static String target;

    @TempDir
    Path dir;

    private final List<String> secrets = new ArrayList<>();
    private final List<Shell.Run> runs = new ArrayList<>();

    @BeforeEach
    void configure() {
        Shell.assumeInstalled("bash", "curl", "jq");
        if (oidc == null) {
            String issuer = unique("gha");
            Map<String, Object> definition = issuerFor(issuer, github.url(), baseUrl());
            definition.put("acceptedAudiences", List.of(baseUrl(), OTHER_AUDIENCE));
            create("issuers", definition);
            target = "https://" + unique("deploy") + ".example.com";
            Map<String, Object> deploy = rule(
                    unique("gha-deploy"),
                    issuer,
                    "allow",
                    List.of(
                            condition("repository_owner_id", "equals", "4242"),
                            condition("ref", "equals", "refs/heads/main")),
                    List.of(target),
                    List.of("deploy", "read"));
            deploy.put("ttlSeconds", 600);
            create("rules", deploy);
            oidc = new GitHubOidcEndpoint(this::idToken);
        }
        oidc.reset(this::idToken);
    }

    @AfterAll
    static void stopEndpoint() {
        if (oidc != null) {
            oidc.close();
            oidc = null;
        }
    }

    private String idToken(String audience) {
        return github.github().audience(audience).sign();
    }

    @Test
    void oneStepGetsAMaskedTokenItsOutputsAndTheEnvironmentVariable() {
        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", target, "scope", "deploy"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        String accessToken = result.outputs().get("access-token");
        secrets.add(accessToken);
        Jwt jwt = gatewayDecoder(target).decode(accessToken);
        assertThat(jwt.getClaimAsString("scope")).isEqualTo("deploy");
        assertThat(jwt.getClaimAsString("repository")).isEqualTo("acme/app");
        assertThat(result.outputs())
                .containsEntry("expires-in", "600")
                .containsEntry("scope", "deploy")
                .containsKey("exchange-id");
        assertThat(auditEvent(result.outputs().get("exchange-id")).get("outcome"))
                .isEqualTo("issued");
        assertThat(result.env()).containsExactly(Map.entry("FERRY_ACCESS_TOKEN", accessToken));
        // The ID token was asked for Ferry's URL (the default id-token-audience), with the runner's bearer token.
        assertThat(oidc.audiences()).containsExactly(baseUrl());
        // Both tokens are masked, the ID token as soon as it arrives, before anything else is printed.
        assertThat(result.run().stdoutLines())
                .startsWith("::add-mask::" + oidc.minted().get(0), "::add-mask::" + accessToken);
        assertThat(result.run().stderr())
                .contains(
                        "Ferry issued an access token for audience '" + target + "': scope 'deploy', expires in 600 s")
                .contains("$FERRY_ACCESS_TOKEN in later steps");
    }

    @Test
    void resourceOtherIdTokenAudienceAndNoExportAreHonoured() {
        GitHubAction.Result result = run(Map.of(
                "ferry-url",
                baseUrl() + "/",
                "resource",
                target,
                "id-token-audience",
                OTHER_AUDIENCE,
                "export-env",
                "false"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        secrets.add(result.outputs().get("access-token"));
        assertThat(oidc.audiences()).containsExactly(OTHER_AUDIENCE);
        assertThat(result.outputs()).containsEntry("scope", "deploy read");
        assertThat(gatewayDecoder(target)
                        .decode(result.outputs().get("access-token"))
                        .getAudience())
                .containsExactly(target);
        assertThat(result.env()).isEmpty();
    }

    @Test
    void theTokenCanBeExportedUnderAnotherName() {
        GitHubAction.Result result =
                run(Map.of("ferry-url", baseUrl(), "audience", target, "env-name", "DEPLOY_TOKEN", "scope", "read"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        secrets.add(result.outputs().get("access-token"));
        assertThat(result.env()).containsOnlyKeys("DEPLOY_TOKEN");
        assertThat(result.env().get("DEPLOY_TOKEN")).isEqualTo(result.outputs().get("access-token"));
    }

    @Test
    void noMatchingRuleFailsWithTheErrorItsExchangeIdAndTheUsualCauses() {
        oidc.minting(audience -> github.github()
                .audience(audience)
                .claim("repository_owner_id", "1")
                .subject("repo:intruder/app:ref:refs/heads/main")
                .sign());

        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", target));

        String annotation = failedWith(result, "Ferry refused the token exchange");
        assertThat(annotation)
                .contains("error: invalid_request")
                .contains("error_description: ")
                .containsPattern("exchange_id: [0-9a-f-]{36}")
                .contains("sub 'repo:intruder/app:ref:refs/heads/main'")
                .contains("GET /admin/v1/audit/");
        String exchangeId = annotation.replaceAll("(?s).*exchange_id: ([0-9a-f-]{36}).*", "$1");
        assertThat(auditEvent(exchangeId).get("outcome")).isEqualTo("refused");
    }

    @Test
    void anIdTokenAudienceTheIssuerDoesNotAcceptIsNamedInTheHint() {
        GitHubAction.Result result = run(Map.of(
                "ferry-url", baseUrl(), "audience", target, "id-token-audience", "https://elsewhere.example.com"));

        String annotation = failedWith(result, "Ferry refused the token exchange");
        assertThat(annotation)
                .contains("error: invalid_request")
                .contains("The ID token's audience 'https://elsewhere.example.com' is not among the acceptedAudiences")
                .contains("set id-token-audience");
    }

    @Test
    void aTargetNoRuleGrantsIsInvalidTarget() {
        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", "https://billing.example.com"));

        assertThat(failedWith(result, "Ferry refused the token exchange"))
                .contains("error: invalid_target")
                .containsPattern("exchange_id: [0-9a-f-]{36}")
                .contains("grants the target 'https://billing.example.com'");
    }

    @Test
    void aScopeNoRuleGrantsIsInvalidScope() {
        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", target, "scope", "deploy admin"));

        assertThat(failedWith(result, "Ferry refused the token exchange"))
                .contains("error: invalid_scope")
                .contains("do not grant scope 'deploy admin'");
    }

    @Test
    void withoutIdTokenPermissionTheHintSaysIdTokenWrite() {
        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", target), Map.of());

        assertThat(failedWith(result, "No OIDC ID token for this job"))
                .contains("ACTIONS_ID_TOKEN_REQUEST_URL is not set")
                .contains("permissions: id-token: write");
        assertThat(oidc.audiences()).isEmpty();
    }

    @Test
    void aRefusedIdTokenRequestQuotesGitHubAndGivesTheSameHint() {
        Map<String, String> runner = new LinkedHashMap<>(runnerEnv());
        runner.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "expired-request-token");

        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", target), runner);

        assertThat(failedWith(result, "No OIDC ID token for this job"))
                .contains("HTTP 401")
                .contains("Unable to validate the request token")
                .contains("permissions: id-token: write");
    }

    @Test
    void wrongInputsFailBeforeAnyRequest() {
        GitHubAction.Result both = run(Map.of("ferry-url", baseUrl(), "audience", target, "resource", target));
        assertThat(failedWith(both, "Ferry token exchange: wrong input")).contains("not both");
        assertThat(both.run().exitCode()).isEqualTo(2);

        GitHubAction.Result none = run(Map.of("ferry-url", baseUrl()));
        assertThat(failedWith(none, "Ferry token exchange: wrong input")).contains("the target is missing");

        GitHubAction.Result retries = run(Map.of("ferry-url", baseUrl(), "audience", target, "retries", "many"));
        assertThat(failedWith(retries, "Ferry token exchange: wrong input")).contains("retries must be a whole number");

        GitHubAction.Result name = run(Map.of("ferry-url", baseUrl(), "audience", target, "env-name", "NOT-A-NAME"));
        assertThat(failedWith(name, "Ferry token exchange: wrong input")).contains("not a variable name");

        GitHubAction.Result url = run(Map.of("ferry-url", "ferry.example.com", "audience", target));
        assertThat(failedWith(url, "Ferry token exchange: wrong input")).contains("must start with https://");

        assertThat(oidc.audiences()).isEmpty();
    }

    /**
     * End to end with Ferry (RFC 9449): the action's proof binds the token to the job's key, and a later step's proof
     * made with {@code ferry-dpop-proof} is one an independent resource-server verifier (Nimbus) accepts for that
     * token. (The proofs' every field, the nonce retry and the failures are checked in {@link CiDpopTest}.)
     */
    @Test
    void dpopGetsATokenBoundToTheJobsKeyAndLaterStepsProveThatKey() throws Exception {
        Shell.assumeInstalled("openssl");

        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl(), "audience", target, "dpop", "true"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        assertThat(result.outputs()).containsEntry("token-type", "DPoP");
        String accessToken = result.outputs().get("access-token");
        String jkt = result.outputs().get("dpop-jkt");
        secrets.add(accessToken);
        assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getJSONObjectClaim("cnf"))
                .as("the token is bound to the key the action made")
                .containsEntry("jkt", jkt);

        String api = "https://api.example.com/deployments";
        Path step = Files.writeString(dir.resolve("later-step.sh"), "ferry-dpop-proof POST " + api + "\n");
        Shell.Run later =
                Shell.run(List.of("bash", "--noprofile", "--norc", "-e", step.toString()), result.laterStepEnv(), dir);
        runs.add(later);
        assertThat(later.exitCode()).as(later.toString()).isZero();
        SignedJWT proof = SignedJWT.parse(later.stdout().strip());
        new DPoPProtectedResourceRequestVerifier(Set.of(JWSAlgorithm.ES256), 5, 60, null)
                .verify(
                        "POST",
                        URI.create(api),
                        new DPoPIssuer("ci-job"),
                        proof,
                        new DPoPAccessToken(accessToken),
                        new JWKThumbprintConfirmation(new Base64URL(jkt)),
                        null);
    }

    @Test
    void aUrlThatIsNotFerrysSaysSoWithoutGuessing() {
        GitHubAction.Result result = run(Map.of("ferry-url", baseUrl() + "/token", "audience", target));

        assertThat(failedWith(result, "Ferry token exchange failed"))
                .contains("answered HTTP 404, not an OAuth 2.0 answer")
                .contains("without /token");
    }

    private GitHubAction.Result run(Map<String, String> inputs) {
        return run(inputs, runnerEnv());
    }

    private GitHubAction.Result run(Map<String, String> inputs, Map<String, String> runner) {
        GitHubAction.Result result = ACTION.run(inputs, runner, dir);
        runs.add(result.run());
        return result;
    }

    private static Map<String, String> runnerEnv() {
        return Map.of(
                "ACTIONS_ID_TOKEN_REQUEST_URL", oidc.requestUrl(),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", oidc.requestToken());
    }

    /**
     * The run failed with one GitHub error annotation titled {@code title}, which it returns (decoded), and no
     * output or environment file was written. Every run here is also checked for leaks.
     */
    private String failedWith(GitHubAction.Result result, String title) {
        assertThat(result.run().exitCode()).as(result.run().toString()).isNotZero();
        List<String> errors = result.run().stdoutLines().stream()
                .filter(line -> line.startsWith("::error "))
                .toList();
        assertThat(errors).as(result.run().toString()).hasSize(1);
        String prefix = "::error title=" + title.replace(":", "%3A").replace(",", "%2C") + "::";
        assertThat(errors.get(0)).startsWith(prefix);
        assertThat(result.outputs()).isEmpty();
        assertThat(result.env()).isEmpty();
        return errors.get(0)
                .substring(prefix.length())
                .replace("%0A", "\n")
                .replace("%0D", "\r")
                .replace("%25", "%");
    }

    /** Every ID token the runner handed out, every access token Ferry issued, and the runner's request token. */
    @AfterEach
    void neitherTokenWasPrinted() {
        if (runs.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(secrets);
        all.addAll(oidc.minted());
        all.add(oidc.requestToken());
        runs.forEach(run -> run.assertLeaksNone(all, true));
    }

    private NimbusJwtDecoder gatewayDecoder(String audience) {
        NimbusJwtDecoder decoder = JwtDecoders.fromIssuerLocation(ferryIssuer);
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(List.of(
                new JwtTypeValidator("at+jwt"),
                new JwtIssuerValidator(ferryIssuer),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)))));
        return decoder;
    }
}
