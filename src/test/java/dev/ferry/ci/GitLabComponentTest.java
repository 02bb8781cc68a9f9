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
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The GitLab CI/CD component of examples/gitlab-component: its template inlines exactly the action's script, takes
 * the action's inputs, and a job that extends its hidden job gets the token in its own shell (in bash, dash and
 * busybox sh, where installed) from this Ferry, or fails before its script runs, without printing either token.
 */
@DisabledIfSystemProperty(
        named = "ferry.test.database",
        matches = "postgresql",
        disabledReason = "the component's script does not depend on Ferry's database: it runs once, on H2")
class GitLabComponentTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer gitlab = new TestIssuer("/gitlab");

    private static final GitLabComponent COMPONENT = new GitLabComponent();
    private static String target;

    /** The job's own script after the component's before_script: it records what it sees, printing nothing. */
    private static final List<String> PROBE = List.of(
            "probe() { printf '%s' \"$2\" > \"$FERRY_PROBE/$1\"; }",
            "probe token \"${FERRY_ACCESS_TOKEN-unset}\"",
            "probe expires \"${FERRY_ACCESS_TOKEN_EXPIRES_IN-unset}\"",
            "probe scope \"${FERRY_ACCESS_TOKEN_SCOPE-unset}\"",
            "probe deploy-token \"${DEPLOY_TOKEN-unset}\"",
            "probe child \"$(sh -c 'printf %s \"${FERRY_ACCESS_TOKEN-unset}\"')\"",
            "case $- in *e*) probe errexit on ;; *) probe errexit off ;; esac",
            "probe function \"$(if command -v ferry_token >/dev/null 2>&1; then echo defined; else echo gone; fi)\"");

    @TempDir
    Path dir;

    private final List<String> secrets = new ArrayList<>();
    private final List<Shell.Run> runs = new ArrayList<>();

    @BeforeEach
    void configure() {
        Shell.assumeInstalled("curl", "jq");
        if (target != null) {
            return;
        }
        Map<String, Object> issuer = issuerFor(unique("glc"), gitlab.url(), baseUrl());
        issuer.put("type", "gitlab");
        create("issuers", issuer);
        target = "https://" + unique("gitlab-deploy") + ".example.com";
        Map<String, Object> deploy = rule(
                unique("glc-deploy"),
                (String) issuer.get("name"),
                "allow",
                List.of(condition("namespace_id", "equals", "72"), condition("ref_protected", "equals", "true")),
                List.of(target),
                List.of("deploy", "read"));
        deploy.put("ttlSeconds", 600);
        create("rules", deploy);
    }

    @AfterEach
    void neitherTokenWasPrinted() {
        runs.forEach(run -> run.assertLeaksNone(secrets, false));
    }

    // ---- the template itself

    @Test
    void theTemplateInlinesTheActionsScriptVerbatim() throws IOException {
        String beforeScript = COMPONENT
                .jobs
                .get(GitLabComponent.HIDDEN_JOB)
                .get("before_script")
                .get(0)
                .asString();
        String start = "ferry_token() (\n";
        int from = beforeScript.indexOf(start) + start.length();
        int to = beforeScript.lastIndexOf("\n)\n");
        assertThat(from).isGreaterThan(start.length() - 1);
        assertThat(beforeScript.substring(from, to + 1))
                .as("the template's copy of ferry-token.sh; run examples/gitlab-component/inline-script.sh")
                .isEqualTo(Files.readString(Shell.SCRIPT));
        // GitLab would interpolate these in the inlined script.
        assertThat(Files.readString(Shell.SCRIPT)).doesNotContain("$[[");
    }

    @Test
    void theComponentTakesTheActionsInputsWithTheSameDefaults() {
        GitHubAction action = new GitHubAction();
        List<String> gitlabOnly = List.of("dotenv");
        assertThat(COMPONENT.inputNames()).containsAll(action.inputNames());
        assertThat(COMPONENT.inputNames()).containsExactlyInAnyOrderElementsOf(concat(action.inputNames(), gitlabOnly));
        for (String name : action.inputNames()) {
            assertThat(COMPONENT.input(name).path("description").asString())
                    .as(name)
                    .isNotBlank();
            if (!name.equals("ferry-url") && !name.equals("id-token-audience")) {
                assertThat(COMPONENT.input(name).get("default").asString())
                        .as("default of %s", name)
                        .isEqualTo(action.action
                                .get("inputs")
                                .get(name)
                                .get("default")
                                .asString());
            }
        }
        // The action's env and the component's variables hand the script the same variables.
        Map<String, String> variables = new LinkedHashMap<>();
        COMPONENT
                .job(Map.of("ferry-url", "https://ferry.example.com"))
                .get("variables")
                .properties()
                .forEach(e -> variables.put(e.getKey(), e.getValue().asString()));
        assertThat(variables.keySet()).containsAll(action.step().get("env").propertyNames());
        // Every input is used, and the ID token's audience defaults to Ferry's URL.
        COMPONENT.inputNames().forEach(name -> assertThat(COMPONENT.text).contains("$[[ inputs." + name + " ]]"));
        assertThat(GitLabComponent.expand(
                        COMPONENT
                                .job(Map.of("ferry-url", "https://ferry.example.com"))
                                .get("id_tokens")
                                .get("FERRY_ID_TOKEN")
                                .get("aud")
                                .asString(),
                        variables))
                .isEqualTo("https://ferry.example.com");
    }

    // ---- jobs

    @ParameterizedTest
    @ValueSource(strings = {"bash", "dash", "busybox"})
    void aJobThatExtendsItHasTheTokenInItsShellAndItsChildren(String shell) throws IOException {
        Shell.assumeInstalled(shell);

        GitLabComponent.Job job =
                run(shell, Map.of("ferry-url", baseUrl(), "audience", target, "scope", "deploy"), this::idToken);

        assertThat(job.run().exitCode()).as(job.run().toString()).isZero();
        assertThat(job.audience()).as("id_tokens aud defaults to ferry-url").isEqualTo(baseUrl());
        String token = probe("token");
        secrets.add(token);
        Jwt jwt = gatewayDecoder(target).decode(token);
        assertThat(jwt.getClaimAsString("project_path")).isEqualTo("acme/app");
        assertThat(jwt.getClaimAsString("scope")).isEqualTo("deploy");
        assertThat(probe("expires")).isEqualTo("600");
        assertThat(probe("scope")).isEqualTo("deploy");
        assertThat(probe("child")).as("exported to the job's processes").isEqualTo(token);
        assertThat(probe("errexit")).as("the job's shell keeps -e").isEqualTo("on");
        assertThat(probe("function")).isEqualTo("gone");
        assertThat(job.run().stderr())
                .contains(
                        "Ferry issued an access token for audience '" + target + "': scope 'deploy', expires in 600 s");
        assertThat(job.run().stdout()).isEmpty();
    }

    @Test
    void withoutExportTheTokenIsAShellVariableUnderItsName() throws IOException {
        GitLabComponent.Job job = run(
                "bash",
                Map.of("ferry-url", baseUrl(), "resource", target, "export-env", "false", "env-name", "DEPLOY_TOKEN"),
                this::idToken);

        assertThat(job.run().exitCode()).as(job.run().toString()).isZero();
        String token = probe("deploy-token");
        secrets.add(token);
        assertThat(gatewayDecoder(target).decode(token).getClaimAsString("scope"))
                .isEqualTo("deploy read");
        assertThat(probe("token")).isEqualTo("unset");
        assertThat(probe("child")).isEqualTo("unset");
    }

    @Test
    void aDotenvFileCarriesTheTokenToLaterJobsWhenAskedFor() throws IOException {
        Path dotenv = dir.resolve("ferry.env");

        GitLabComponent.Job job = run(
                "dash", Map.of("ferry-url", baseUrl(), "audience", target, "dotenv", dotenv.toString()), this::idToken);

        assertThat(job.run().exitCode()).as(job.run().toString()).isZero();
        String token = probe("token");
        secrets.add(token);
        assertThat(Files.readAllLines(dotenv))
                .containsExactly(
                        "FERRY_ACCESS_TOKEN=" + token,
                        "FERRY_ACCESS_TOKEN_EXPIRES_IN=600",
                        "FERRY_ACCESS_TOKEN_SCOPE=deploy read");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dotenv)))
                .isEqualTo("rw-------");
    }

    @Test
    void aRefusalFailsTheJobBeforeItsScriptWithTheErrorAndExchangeId() {
        GitLabComponent.Job job =
                run("dash", Map.of("ferry-url", baseUrl(), "audience", "https://billing.example.com"), this::idToken);

        assertThat(job.run().exitCode()).as(job.run().toString()).isNotZero();
        assertThat(job.run().stderr())
                .contains("ERROR: Ferry refused the token exchange")
                .contains("error: invalid_target")
                .containsPattern("exchange_id: [0-9a-f-]{36}")
                .contains("grants the target 'https://billing.example.com'");
        assertThat(dir.resolve("probe")).isEmptyDirectory();
    }

    @Test
    void anIdTokenAudienceFerryDoesNotAcceptIsNamedInTheHint() {
        GitLabComponent.Job job = run(
                "bash",
                Map.of(
                        "ferry-url",
                        baseUrl(),
                        "audience",
                        target,
                        "id-token-audience",
                        "https://elsewhere.example.com"),
                this::idToken);

        assertThat(job.audience()).isEqualTo("https://elsewhere.example.com");
        assertThat(job.run().exitCode()).as(job.run().toString()).isNotZero();
        assertThat(job.run().stderr())
                .contains("error: invalid_request")
                .contains("The ID token's audience 'https://elsewhere.example.com' is not among the acceptedAudiences");
    }

    /**
     * End to end with Ferry (RFC 9449): the component's proof binds the token to the job's key, and the job's script
     * gets the token type, the key's thumbprint and a proof command whose proofs an independent verifier (Nimbus)
     * accepts for that token.
     */
    @Test
    void dpopGivesTheScriptATokenBoundToTheJobsKeyAndTheProofCommand() throws Exception {
        Shell.assumeInstalled("dash", "openssl");
        Path probe = Files.createDirectories(dir.resolve("probe"));
        String api = "https://api.example.com/deployments";
        List<String> script = List.of(
                "probe() { printf '%s' \"$2\" > \"$FERRY_PROBE/$1\"; }",
                "probe token \"${FERRY_ACCESS_TOKEN-unset}\"",
                "probe type \"${FERRY_ACCESS_TOKEN_TYPE-unset}\"",
                "probe jkt \"${FERRY_ACCESS_TOKEN_DPOP_JKT-unset}\"",
                "probe proof \"$(ferry-dpop-proof GET " + api + ")\"");

        GitLabComponent.Job job = COMPONENT.run(
                "dash",
                Map.of("ferry-url", baseUrl(), "audience", target, "dpop", "true"),
                this::idToken,
                script,
                Map.of("FERRY_PROBE", probe.toString()),
                dir);
        runs.add(job.run());

        assertThat(job.run().exitCode()).as(job.run().toString()).isZero();
        assertThat(probe("type")).isEqualTo("DPoP");
        String accessToken = probe("token");
        String jkt = probe("jkt");
        secrets.add(accessToken);
        assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getJSONObjectClaim("cnf"))
                .as("the token is bound to the key the component made")
                .containsEntry("jkt", jkt);
        new DPoPProtectedResourceRequestVerifier(Set.of(JWSAlgorithm.ES256), 5, 60, null)
                .verify(
                        "GET",
                        URI.create(api),
                        new DPoPIssuer("ci-job"),
                        SignedJWT.parse(probe("proof")),
                        new DPoPAccessToken(accessToken),
                        new JWKThumbprintConfirmation(new Base64URL(jkt)),
                        null);
    }

    @Test
    void aJobWithoutTheIdTokenIsToldToExtendTheHiddenJob() {
        GitLabComponent.Job job = run("dash", Map.of("ferry-url", baseUrl(), "audience", target), null);

        assertThat(job.run().exitCode()).isNotZero();
        assertThat(job.run().stderr())
                .contains("ERROR: No ID token for this job")
                .contains("extend .ferry-token");
    }

    private String idToken(String audience) {
        String token = gitlab.gitlab().audience(audience).sign();
        secrets.add(token);
        return token;
    }

    private GitLabComponent.Job run(String shell, Map<String, String> inputs, Function<String, String> mint) {
        Path probe = dir.resolve("probe");
        try {
            Files.createDirectories(probe);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        GitLabComponent.Job job =
                COMPONENT.run(shell, inputs, mint, PROBE, Map.of("FERRY_PROBE", probe.toString()), dir);
        runs.add(job.run());
        return job;
    }

    private String probe(String name) throws IOException {
        return Files.readString(dir.resolve("probe").resolve(name));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
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
