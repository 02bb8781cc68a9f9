package dev.ferry.policy;

import static dev.ferry.policy.RuleDefinitions.requiringDpop;
import static dev.ferry.policy.RuleDefinitions.withAcknowledged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.DefinitionException;
import dev.ferry.federation.IssuerType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guardrails from published incidents (docs/rules.md, Guardrails), each code with rules that get it
 * and rules that do not; and the refuse mode ({@code ferry.lint.refuse}) with acknowledgements.
 */
class GuardrailLintsTest {

    private static final IssuerType GITHUB = IssuerType.GITHUB;
    private static final IssuerType GITLAB = IssuerType.GITLAB;
    private static final IssuerType OIDC = IssuerType.OIDC;
    private static final String T = "https://deploy.example.com";

    private static final Condition OWNER_ID = eq("repository_owner_id", "4242");
    private static final Condition MAIN = eq("ref", "refs/heads/main");
    private static final Condition PUSH = eq("event_name", "push");

    private final RuleLinter linter = new RuleLinter();

    /** A case: name, code, whether present, the condition it points at (null: the rule), issuer type, rule. */
    private static Arguments present(String name, String code, String at, IssuerType type, RuleDefinition rule) {
        return Arguments.of(name, code, true, at, type, rule);
    }

    private static Arguments absent(String name, String code, IssuerType type, RuleDefinition rule) {
        return Arguments.of(name, code, false, null, type, rule);
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        String dpop = "dpop-not-required";
        cases.add(present("github: deploy scope, bearer", dpop, null, GITHUB, allow(OWNER_ID, MAIN)));
        cases.add(present(
                "gitlab: publish scope, bearer",
                dpop,
                null,
                GITLAB,
                allow(List.of(T), List.of("read", "packages:publish"), eq("project_id", "7"))));
        for (String scope :
                List.of("repo:write", "git-push", "Releases", "admin", "delete-branch", "deploy:${repository_id}")) {
            cases.add(present("github: " + scope, dpop, null, GITHUB, allow(List.of(T), List.of(scope), OWNER_ID)));
        }
        cases.add(absent("github: deploy scope, DPoP required", dpop, GITHUB, requiringDpop(allow(OWNER_ID, MAIN))));
        cases.add(absent(
                "github: read-only scopes", dpop, GITHUB, allow(List.of(T), List.of("read", "status"), OWNER_ID)));
        cases.add(absent("oidc: deploy scope (not a public CI)", dpop, OIDC, allow(OWNER_ID, MAIN)));
        cases.add(absent("github: deny rule", dpop, GITHUB, deny(MAIN)));
        String unbound = "unbound-identity";
        cases.add(present("github: ref alone", unbound, null, GITHUB, allow(MAIN)));
        cases.add(present(
                "github: workflow, environment, actor, event",
                unbound,
                null,
                GITHUB,
                allow(eq("workflow", "deploy"), eq("environment", "prod"), eq("actor", "octocat"), PUSH)));
        cases.add(present(
                "github: head_ref and base_ref",
                unbound,
                null,
                GITHUB,
                allow(eq("head_ref", "x"), eq("base_ref", "main"))));
        cases.add(present(
                "github: job_workflow_ref without an owner pin",
                unbound,
                null,
                GITHUB,
                allow(glob("job_workflow_ref", "*/.github/workflows/deploy.yml@refs/heads/main"), MAIN)));
        cases.add(present(
                "github: owner glob open before the slash",
                unbound,
                null,
                GITHUB,
                allow(glob("repository", "acme*"), MAIN)));
        cases.add(present(
                "github: owner id negated is no binding",
                unbound,
                null,
                GITHUB,
                allow(new Condition("repository_owner_id", Operator.NOT_EQUALS, "1", null), MAIN)));
        cases.add(present("github: sub open owner", unbound, null, GITHUB, allow(glob("sub", "repo:*"), MAIN)));
        cases.add(absent("github: owner id", unbound, GITHUB, allow(OWNER_ID, MAIN)));
        cases.add(absent("github: repository name", unbound, GITHUB, allow(eq("repository", "acme/app"), MAIN)));
        cases.add(absent(
                "github: repository glob after the owner", unbound, GITHUB, allow(glob("repository", "acme/*"), MAIN)));
        cases.add(
                absent("github: classic sub", unbound, GITHUB, allow(eq("sub", "repo:acme/app:ref:refs/heads/main"))));
        cases.add(absent("github: immutable sub glob", unbound, GITHUB, allow(glob("sub", "repo:acme@4242/*"))));
        cases.add(absent(
                "github: job_workflow_ref with an owner",
                unbound,
                GITHUB,
                allow(eq("job_workflow_ref", "acme/wf/.github/workflows/d.yml@refs/heads/main"), MAIN)));
        cases.add(present(
                "gitlab: ref alone", unbound, null, GITLAB, allow(eq("ref", "main"), eq("ref_protected", "true"))));
        cases.add(absent("gitlab: namespace id", unbound, GITLAB, allow(eq("namespace_id", "77"), eq("ref", "main"))));
        cases.add(absent("oidc: not linted for identity", unbound, OIDC, allow(eq("email", "a@b"))));
        cases.add(absent("github deny rule", unbound, GITHUB, deny(MAIN)));

        String delimited = "template-not-delimited";
        cases.add(present(
                "suffix after placeholder",
                delimited,
                null,
                GITHUB,
                allow(List.of(T + "/ns-${repository_owner_id}-prod"), List.of(), OWNER_ID, MAIN)));
        cases.add(present(
                "dot after placeholder",
                delimited,
                null,
                OIDC,
                allow(List.of("https://${sub}.example.com"), List.of(), eq("email", "a"))));
        cases.add(present(
                "two placeholders adjacent",
                delimited,
                null,
                GITHUB,
                allow(List.of(T), List.of("d:${repository_owner_id}${repository_id}"), OWNER_ID, MAIN)));
        cases.add(present(
                "path placeholder then slash",
                delimited,
                null,
                GITHUB,
                allow(List.of(T + "/${ref:path}/x"), List.of(), OWNER_ID, MAIN)));
        cases.add(absent(
                "placeholder at the end",
                delimited,
                GITHUB,
                allow(List.of(T + "/ns/${repository_id}"), List.of("deploy:${repository_id}"), OWNER_ID, MAIN)));
        cases.add(absent(
                "placeholder then slash",
                delimited,
                GITHUB,
                allow(List.of(T + "/ns/${repository_id}/prod"), List.of(), OWNER_ID, MAIN)));
        cases.add(absent(
                "placeholder then colon",
                delimited,
                GITHUB,
                allow(List.of(T), List.of("deploy:${repository_id}:write"), OWNER_ID, MAIN)));

        String mutable = "template-mutable-claim";
        cases.add(present(
                "github repository name",
                mutable,
                null,
                GITHUB,
                allow(List.of(T), List.of("deploy:${repository:path}"), OWNER_ID, MAIN)));
        cases.add(present(
                "github owner name",
                mutable,
                null,
                GITHUB,
                allow(List.of(T + "/${repository_owner}"), List.of(), OWNER_ID, MAIN)));
        cases.add(present(
                "gitlab project path",
                mutable,
                null,
                GITLAB,
                allow(List.of(T + "/${project_path:path}"), List.of(), eq("namespace_id", "7"), eq("ref", "main"))));
        cases.add(absent(
                "github repository id",
                mutable,
                GITHUB,
                allow(List.of(T + "/${repository_id}"), List.of(), OWNER_ID, MAIN)));
        cases.add(absent(
                "oidc issuer: no known ids",
                mutable,
                OIDC,
                allow(List.of(T + "/${repository}"), List.of(), eq("email", "a"))));

        String event = "admits-untrusted-event";
        cases.add(present("no event condition", event, null, GITHUB, allow(OWNER_ID, MAIN)));
        cases.add(present(
                "workflow_run admitted",
                event,
                "conditions[2]",
                GITHUB,
                allow(OWNER_ID, MAIN, in("event_name", "push", "workflow_run"))));
        cases.add(present(
                "issue_comment admitted by notEquals",
                event,
                "conditions[2]",
                GITHUB,
                allow(OWNER_ID, MAIN, new Condition("event_name", Operator.NOT_EQUALS, "pull_request_target", null))));
        cases.add(absent("push only", event, GITHUB, allow(OWNER_ID, MAIN, PUSH)));
        cases.add(absent("no scopes granted", event, GITHUB, allow(List.of(T), List.of(), OWNER_ID, MAIN)));

        String workflowRef = "workflow-ref-for-called-workflow";
        cases.add(present(
                "workflow_ref with an open repository",
                workflowRef,
                "conditions[1]",
                GITHUB,
                allow(OWNER_ID, glob("workflow_ref", "*/.github/workflows/deploy.yml@refs/heads/main"), PUSH)));
        cases.add(present(
                "workflow_ref naming another repository than the rule admits",
                workflowRef,
                "conditions[2]",
                GITHUB,
                allow(
                        OWNER_ID,
                        eq("repository", "acme/app"),
                        eq("workflow_ref", "acme/shared/.github/workflows/d.yml@refs/heads/main"),
                        PUSH)));
        cases.add(present(
                "a workflow path in ref",
                workflowRef,
                "conditions[1]",
                GITHUB,
                allow(OWNER_ID, eq("ref", "acme/shared/.github/workflows/d.yml@refs/heads/main"))));
        cases.add(absent(
                "workflow_ref of the admitted repository",
                workflowRef,
                GITHUB,
                allow(
                        OWNER_ID,
                        eq("repository", "acme/app"),
                        eq("workflow_ref", "acme/app/.github/workflows/d.yml@refs/heads/main"))));
        cases.add(absent(
                "job_workflow_ref",
                workflowRef,
                GITHUB,
                allow(OWNER_ID, MAIN, eq("job_workflow_ref", "acme/shared/.github/workflows/d.yml@refs/heads/main"))));

        String callerRef = "job-workflow-ref-as-caller-ref";
        cases.add(present(
                "job_workflow_ref without a caller branch",
                callerRef,
                "conditions[1]",
                GITHUB,
                allow(OWNER_ID, eq("job_workflow_ref", "acme/shared/.github/workflows/d.yml@refs/heads/main"))));
        cases.add(absent(
                "job_workflow_ref with ref",
                callerRef,
                GITHUB,
                allow(OWNER_ID, eq("job_workflow_ref", "acme/shared/.github/workflows/d.yml@refs/heads/main"), MAIN)));
        cases.add(absent(
                "job_workflow_ref with environment",
                callerRef,
                GITHUB,
                allow(
                        OWNER_ID,
                        eq("job_workflow_ref", "acme/shared/.github/workflows/d.yml@refs/heads/main"),
                        eq("environment", "prod"))));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lintWarnsExactlyWhereTheCodeApplies(
            String name, String code, boolean present, String at, IssuerType type, RuleDefinition rule) {
        List<LintWarning> warnings = linter.lint(rule, type).stream()
                .filter(w -> w.code().equals(code))
                .toList();
        if (present) {
            assertThat(warnings).isNotEmpty().allSatisfy(w -> {
                assertThat(w.condition()).isEqualTo(at);
                assertThat(w.message()).isNotBlank();
                assertThat(w.suggestedFix()).isNotBlank();
            });
        } else {
            assertThat(warnings).isEmpty();
        }
    }

    @Test
    void everyCodeTheLinterGivesIsListed() {
        List<String> given = new ArrayList<>();
        for (Arguments a : cases()) {
            RuleDefinition rule = (RuleDefinition) a.get()[5];
            linter.lint(rule, (IssuerType) a.get()[4]).forEach(w -> given.add(w.code()));
        }
        assertThat(RuleLinter.CODES).containsAll(given);
    }

    @Test
    void refuseModeRefusesListedCodesUnlessAcknowledgedWithAReason() {
        RuleGuardrails guardrails = new RuleGuardrails(linter, List.of("unbound-identity"));
        RuleDefinition unpinned = allow(MAIN, PUSH);

        assertThatThrownBy(() -> guardrails.require(unpinned, GITHUB))
                .isInstanceOfSatisfying(DefinitionException.Refused.class, e -> {
                    assertThat(e.getMessage()).contains("unbound-identity");
                    assertThat(e.refused()).containsExactly("unbound-identity");
                    assertThat(e.warnings()).isEqualTo(linter.lint(unpinned, GITHUB));
                });

        RuleDefinition acknowledged = withAcknowledged(
                unpinned, List.of(new Acknowledgement("unbound-identity", "issuer is our private GHES")));
        guardrails.require(acknowledged, GITHUB);
        assertThat(guardrails.refused(acknowledged, linter.lint(acknowledged, GITHUB)))
                .isEmpty();
        assertThat(linter.lint(acknowledged, GITHUB))
                .as("the warning is still shown")
                .extracting(LintWarning::code)
                .contains("unbound-identity");
        guardrails.require(allow(OWNER_ID, MAIN, PUSH), GITHUB);
        guardrails.require(unpinned, OIDC);
    }

    @Test
    void anEmptyRefuseListRefusesNothingAndAnUnknownCodeStopsTheStart() {
        new RuleGuardrails(linter, List.of()).require(allow(MAIN), GITHUB);
        assertThatThrownBy(() -> new RuleGuardrails(linter, List.of("unbound-identitty")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unbound-identitty");
    }

    @Test
    void theOrgWideExampleLintsCleanAndGrantsEachRepositoryItsOwnNamespace() throws Exception {
        RuleDefinition example = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readValue(
                        java.nio.file.Files.readString(
                                java.nio.file.Path.of("examples/rules/org-wide-namespaces.json")),
                        RuleDefinition.class);
        // Clean, but for the suggestion to require DPoP (it grants deploy scopes) while it does not.
        assertThat(linter.lint(example, GITHUB))
                .extracting(LintWarning::code)
                .isEqualTo(Boolean.TRUE.equals(example.requireDpop()) ? List.of() : List.of("dpop-not-required"));
        RuleDefinition enabled = new RuleDefinition(
                example.name(),
                example.issuer(),
                example.description(),
                example.effect(),
                example.conditions(),
                example.targets(),
                example.scopes(),
                example.ttlSeconds(),
                true);
        CompiledRule rule = CompiledRule.compile(enabled, java.time.Duration.ofMinutes(15));
        var claims = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .createObjectNode()
                .put("repository_owner_id", "4242")
                .put("repository_id", "123456");
        assertThat(rule.concerns("https://deploy.example.com/ns/123456", claims))
                .isTrue();
        assertThat(rule.concerns("https://deploy.example.com/ns/654321", claims))
                .isFalse();
        assertThat(rule.scopes(claims)).containsExactly("deploy:123456");
    }

    private static RuleDefinition allow(Condition... conditions) {
        return allow(List.of(T), List.of("deploy"), conditions);
    }

    private static RuleDefinition allow(List<String> targets, List<String> scopes, Condition... conditions) {
        return new RuleDefinition("r", "ci", null, Effect.ALLOW, List.of(conditions), targets, scopes, null, true);
    }

    private static RuleDefinition deny(Condition... conditions) {
        return new RuleDefinition("r", "ci", null, Effect.DENY, List.of(conditions), List.of(), List.of(), null, true);
    }

    private static Condition eq(String claim, String value) {
        return new Condition(claim, Operator.EQUALS, value, null);
    }

    private static Condition glob(String claim, String value) {
        return new Condition(claim, Operator.GLOB, value, null);
    }

    private static Condition in(String claim, String... values) {
        return new Condition(claim, Operator.IN, null, List.of(values));
    }
}
