package dev.ferry.policy;

import static dev.ferry.policy.RuleDefinitions.requiringDpop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ferry.federation.IssuerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every lint code, each with rules that get it and rules that are fine in that respect (docs/rules.md, Linter warnings). */
class RuleLinterTest {

    private static final IssuerType GITHUB = IssuerType.GITHUB;
    private static final IssuerType GITLAB = IssuerType.GITLAB;
    private static final IssuerType OIDC = IssuerType.OIDC;
    private static final Effect ALLOW = Effect.ALLOW;
    private static final Effect DENY = Effect.DENY;

    private static final Condition OWNER_ID = eq("repository_owner_id", "4242");
    private static final Condition REPO_ID = eq("repository_id", "99");
    private static final Condition MAIN = eq("ref", "refs/heads/main");
    private static final Condition PUSH = eq("event_name", "push");
    private static final Condition NAMESPACE_ID = eq("namespace_id", "77");
    private static final Condition PROJECT_ID = eq("project_id", "88");
    private static final Condition PROTECTED = eq("ref_protected", "true");
    private static final Condition GITLAB_MAIN = eq("ref", "main");

    private final RuleLinter linter = new RuleLinter();

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        cases.addAll(githubNotPinnedToId());
        cases.addAll(globPrefixMidSegment());
        cases.addAll(subSingleForm());
        cases.addAll(noRefConstraint());
        cases.addAll(gitlabNotPinnedToId());
        cases.addAll(gitlabUnprotectedRefs());
        cases.addAll(matchesEverything());
        cases.addAll(admitsPullRequestTarget());
        return cases;
    }

    static List<Arguments> githubNotPinnedToId() {
        String code = "github-not-pinned-to-id";
        return List.of(
                present(
                        "github rule on repository name only",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        eq("repository", "acme/app"),
                        MAIN,
                        PUSH),
                present(
                        "github owner id with notEquals is no pin",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        cond("repository_owner_id", Operator.NOT_EQUALS, "1"),
                        MAIN,
                        PUSH),
                present(
                        "github owner id glob is no pin",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        cond("repository_owner_id", Operator.GLOB, "4242"),
                        MAIN,
                        PUSH),
                absent("github rule pinned to owner id", code, GITHUB, ALLOW, OWNER_ID, MAIN, PUSH),
                absent(
                        "github rule pinned to repository ids with in",
                        code,
                        GITHUB,
                        ALLOW,
                        in("repository_id", "1", "2"),
                        MAIN,
                        PUSH),
                absent("github deny rule needs no pin", code, GITHUB, DENY, eq("repository", "acme/app")),
                absent("oidc rule needs no pin", code, OIDC, ALLOW, eq("repository", "acme/app")));
    }

    static List<Arguments> globPrefixMidSegment() {
        String code = "glob-prefix-mid-segment";
        return List.of(
                present(
                        "glob prefix ends inside owner name",
                        code,
                        "conditions[1]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.GLOB, "repo:acme*"),
                        PUSH),
                present(
                        "glob prefix mid-segment on deny rule",
                        code,
                        "conditions[0]",
                        GITHUB,
                        DENY,
                        cond("repository", Operator.GLOB, "acme*")),
                present(
                        "glob prefix mid-segment on oidc rule",
                        code,
                        "conditions[1]",
                        OIDC,
                        ALLOW,
                        eq("aud", "x"),
                        cond("email", Operator.GLOB, "admin*")),
                present(
                        "glob question mark after a letter",
                        code,
                        "conditions[2]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        PUSH,
                        cond("ref", Operator.GLOB, "refs/heads/v?")),
                present(
                        "glob on numeric id prefix",
                        code,
                        "conditions[0]",
                        GITHUB,
                        ALLOW,
                        cond("repository_owner_id", Operator.GLOB, "42*"),
                        MAIN,
                        PUSH),
                absent(
                        "glob prefix ends at slash",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("repository", Operator.GLOB, "acme/*")),
                absent(
                        "glob prefix ends at colon",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.GLOB, "repo:acme/app:*")),
                absent("glob prefix ends at at-sign", code, OIDC, ALLOW, cond("email", Operator.GLOB, "ops@*")),
                absent(
                        "glob starting with a wildcard",
                        code,
                        OIDC,
                        ALLOW,
                        cond("email", Operator.GLOB, "*@acme.example")),
                absent(
                        "glob without wildcard",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("ref", Operator.GLOB, "refs/heads/main")));
    }

    static List<Arguments> subSingleForm() {
        String code = "sub-single-form";
        String classic = "repo:acme/app:ref:refs/heads/main";
        String immutable = "repo:acme@4242/app@99:ref:refs/heads/main";
        return List.of(
                present(
                        "sub equals classic form only",
                        code,
                        "conditions[1]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        eq("sub", classic),
                        PUSH),
                present(
                        "sub glob immutable form only",
                        code,
                        "conditions[1]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.GLOB, "repo:acme@4242/app@99:*"),
                        PUSH),
                present(
                        "sub in classic values only",
                        code,
                        "conditions[0]",
                        GITHUB,
                        ALLOW,
                        in("sub", classic, "repo:acme/app:environment:prod"),
                        OWNER_ID,
                        PUSH),
                present(
                        "sub regex classic form only",
                        code,
                        "conditions[2]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        PUSH,
                        cond("sub", Operator.REGEX, "repo:acme/app:ref:refs/heads/(main|release)")),
                absent("sub in both forms", code, GITHUB, ALLOW, OWNER_ID, in("sub", classic, immutable), PUSH),
                absent(
                        "sub glob with wildcard owner",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.GLOB, "repo:*:ref:refs/heads/main")),
                absent(
                        "sub regex with optional ids",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.REGEX, "repo:acme(@4242)?/app(@99)?:ref:refs/heads/main"),
                        PUSH),
                absent(
                        "sub notEquals is not judged",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        MAIN,
                        PUSH,
                        cond("sub", Operator.NOT_EQUALS, classic)),
                absent(
                        "sub of a custom template is not judged",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        eq("sub", "repository_owner_id:4242"),
                        PUSH),
                absent("sub on oidc rule is not judged", code, OIDC, ALLOW, eq("sub", classic)));
    }

    static List<Arguments> noRefConstraint() {
        String code = "no-ref-constraint";
        return List.of(
                present("github rule without ref condition", code, null, GITHUB, ALLOW, OWNER_ID, PUSH),
                present("gitlab rule without ref condition", code, null, GITLAB, ALLOW, NAMESPACE_ID, PROJECT_ID),
                present(
                        "github ref glob star is no constraint",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("ref", Operator.GLOB, "*"),
                        PUSH),
                present(
                        "github ref notEquals is no constraint",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("ref", Operator.NOT_EQUALS, "refs/heads/dev"),
                        PUSH),
                present(
                        "github ref exists is no constraint",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("ref", Operator.EXISTS, null),
                        PUSH),
                present(
                        "gitlab workflow_ref does not count",
                        code,
                        null,
                        GITLAB,
                        ALLOW,
                        NAMESPACE_ID,
                        PROJECT_ID,
                        eq("workflow_ref", "x")),
                present(
                        "github sub glob open after the repository",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.GLOB, "repo:acme/app:*"),
                        PUSH),
                present(
                        "github sub regex open after the repository",
                        code,
                        null,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.REGEX, "repo:acme/.*"),
                        PUSH),
                absent("github environment", code, GITHUB, ALLOW, OWNER_ID, eq("environment", "prod"), PUSH),
                absent(
                        "github job_workflow_ref",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        eq("job_workflow_ref", "acme/wf/.github/workflows/deploy.yml@refs/heads/main"),
                        PUSH),
                absent("github ref", code, GITHUB, ALLOW, OWNER_ID, MAIN, PUSH),
                absent(
                        "github sub with a branch",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        eq("sub", "repo:acme/app:ref:refs/heads/main"),
                        PUSH),
                absent(
                        "github sub glob with an environment",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("sub", Operator.GLOB, "repo:acme/app:environment:prod*"),
                        PUSH),
                absent("gitlab ref_protected", code, GITLAB, ALLOW, NAMESPACE_ID, PROTECTED),
                absent("github deny rule", code, GITHUB, DENY, OWNER_ID),
                absent("oidc rule", code, OIDC, ALLOW, eq("email", "ops@acme.example")));
    }

    static List<Arguments> gitlabNotPinnedToId() {
        String code = "gitlab-not-pinned-to-id";
        return List.of(
                present(
                        "gitlab rule on project path only",
                        code,
                        null,
                        GITLAB,
                        ALLOW,
                        eq("project_path", "g/p"),
                        PROTECTED,
                        GITLAB_MAIN),
                present(
                        "gitlab project id regex is no pin",
                        code,
                        null,
                        GITLAB,
                        ALLOW,
                        cond("project_id", Operator.REGEX, "[0-9]+"),
                        PROTECTED,
                        GITLAB_MAIN),
                absent("gitlab rule pinned to project id", code, GITLAB, ALLOW, PROJECT_ID, PROTECTED, GITLAB_MAIN),
                absent(
                        "gitlab rule pinned to namespace ids with in",
                        code,
                        GITLAB,
                        ALLOW,
                        in("namespace_id", "1", "2"),
                        PROTECTED,
                        GITLAB_MAIN),
                absent("gitlab deny rule needs no pin", code, GITLAB, DENY, eq("project_path", "g/p")),
                absent("github rule is not judged by gitlab pins", code, GITHUB, ALLOW, OWNER_ID, MAIN, PUSH));
    }

    static List<Arguments> gitlabUnprotectedRefs() {
        String code = "gitlab-unprotected-refs";
        return List.of(
                present(
                        "gitlab rule without ref_protected",
                        code,
                        null,
                        GITLAB,
                        ALLOW,
                        NAMESPACE_ID,
                        PROJECT_ID,
                        GITLAB_MAIN),
                present(
                        "gitlab ref_protected either way",
                        code,
                        null,
                        GITLAB,
                        ALLOW,
                        NAMESPACE_ID,
                        in("ref_protected", "true", "false"),
                        GITLAB_MAIN),
                present(
                        "gitlab ref_protected notEquals false",
                        code,
                        null,
                        GITLAB,
                        ALLOW,
                        NAMESPACE_ID,
                        cond("ref_protected", Operator.NOT_EQUALS, "false"),
                        GITLAB_MAIN),
                absent("gitlab ref_protected equals true", code, GITLAB, ALLOW, NAMESPACE_ID, PROTECTED),
                absent("gitlab ref_protected in true", code, GITLAB, ALLOW, NAMESPACE_ID, in("ref_protected", "true")),
                absent("gitlab deny rule", code, GITLAB, DENY, NAMESPACE_ID),
                absent("github rule", code, GITHUB, ALLOW, OWNER_ID, MAIN, PUSH));
    }

    static List<Arguments> matchesEverything() {
        String code = "matches-everything";
        List<Arguments> cases = new ArrayList<>();
        for (String glob : List.of("*", "**")) {
            cases.add(present("glob " + glob, code, "conditions[0]", OIDC, ALLOW, cond("sub", Operator.GLOB, glob)));
        }
        for (String regex : List.of(".*", ".+", "(?s).*", "(?s:.*)", "^.*$", "[\\s\\S]*", "(.*)")) {
            cases.add(present(
                    "regex " + regex,
                    code,
                    "conditions[1]",
                    GITHUB,
                    DENY,
                    OWNER_ID,
                    cond("ref", Operator.REGEX, regex)));
        }
        cases.addAll(List.of(
                absent(
                        "regex with a literal prefix",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("ref", Operator.REGEX, "refs/heads/.*"),
                        PUSH),
                absent("glob of one character", code, OIDC, ALLOW, cond("sub", Operator.GLOB, "?")),
                absent("notEquals empty", code, OIDC, ALLOW, cond("sub", Operator.NOT_EQUALS, "")),
                absent("notIn", code, OIDC, ALLOW, new Condition("sub", Operator.NOT_IN, null, List.of("x"))),
                absent("exists", code, OIDC, ALLOW, cond("sub", Operator.EXISTS, null))));
        return cases;
    }

    static List<Arguments> admitsPullRequestTarget() {
        String code = "admits-pull-request-target";
        return List.of(
                present("github rule without event_name", code, null, GITHUB, ALLOW, OWNER_ID, MAIN),
                present(
                        "event_name notEquals push",
                        code,
                        "conditions[2]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        MAIN,
                        cond("event_name", Operator.NOT_EQUALS, "push")),
                present(
                        "event_name in push and pull_request_target",
                        code,
                        "conditions[0]",
                        GITHUB,
                        ALLOW,
                        in("event_name", "push", "pull_request_target"),
                        OWNER_ID,
                        MAIN),
                present(
                        "event_name glob pull_request",
                        code,
                        "conditions[1]",
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        cond("event_name", Operator.GLOB, "pull_request*"),
                        MAIN),
                absent("event_name equals push", code, GITHUB, ALLOW, OWNER_ID, MAIN, PUSH),
                absent(
                        "event_name notEquals pull_request_target",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        MAIN,
                        cond("event_name", Operator.NOT_EQUALS, "pull_request_target")),
                absent(
                        "one of two event_name conditions refuses it",
                        code,
                        GITHUB,
                        ALLOW,
                        OWNER_ID,
                        MAIN,
                        cond("event_name", Operator.REGEX, "pull_request.*"),
                        new Condition("event_name", Operator.NOT_IN, null, List.of("pull_request_target"))),
                absent("github deny rule", code, GITHUB, DENY, OWNER_ID),
                absent("gitlab rule", code, GITLAB, ALLOW, NAMESPACE_ID, PROTECTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lintWarnsExactlyWhereTheCodeApplies(
            String name,
            String code,
            boolean present,
            String condition,
            IssuerType type,
            Effect effect,
            List<Condition> conditions) {
        List<LintWarning> warnings = linter.lint(rule(effect, conditions), type);

        List<String> at = warnings.stream()
                .filter(w -> w.code().equals(code))
                .map(LintWarning::condition)
                .toList();
        if (present) {
            assertThat(at).containsExactly(condition);
        } else {
            assertThat(at).isEmpty();
        }
    }

    @Test
    void lintWhenGithubRuleWellPinnedThenNoWarnings() {
        assertThat(linter.lint(requiringDpop(rule(ALLOW, List.of(OWNER_ID, REPO_ID, MAIN, PUSH))), GITHUB))
                .isEmpty();
    }

    @Test
    void lintWhenGitlabRuleWellPinnedThenNoWarnings() {
        assertThat(linter.lint(
                        requiringDpop(rule(ALLOW, List.of(NAMESPACE_ID, PROJECT_ID, PROTECTED, GITLAB_MAIN))), GITLAB))
                .isEmpty();
    }

    @Test
    void lintWhenRuleWellPinnedButBearerThenOnlyTheDpopSuggestion() {
        assertThat(linter.lint(rule(ALLOW, List.of(OWNER_ID, REPO_ID, MAIN, PUSH)), GITHUB))
                .extracting(LintWarning::code)
                .containsExactly("dpop-not-required");
        assertThat(linter.lint(rule(ALLOW, List.of(NAMESPACE_ID, PROJECT_ID, PROTECTED, GITLAB_MAIN)), GITLAB))
                .extracting(LintWarning::code)
                .containsExactly("dpop-not-required");
    }

    @Test
    void lintWhenRuleHasManyFaultsThenWarningsInCodeOrderEveryTime() {
        RuleDefinition weak =
                rule(ALLOW, List.of(cond("sub", Operator.GLOB, "repo:acme*"), cond("ref", Operator.REGEX, ".*")));

        List<LintWarning> warnings = linter.lint(weak, GITHUB);

        assertThat(warnings)
                .extracting(LintWarning::code)
                .containsExactly(
                        "github-not-pinned-to-id",
                        "glob-prefix-mid-segment",
                        "no-ref-constraint",
                        "matches-everything",
                        "admits-pull-request-target",
                        "unbound-identity",
                        "admits-untrusted-event",
                        "dpop-not-required");
        assertThat(linter.lint(weak, GITHUB)).isEqualTo(warnings);
        assertThat(warnings).allSatisfy(w -> {
            assertThat(w.message()).isNotBlank();
            assertThat(w.suggestedFix()).isNotBlank();
        });
    }

    @Test
    void lintWhenConditionsHoldMarkedValuesThenMessagesNeverEchoThem() {
        String marker = "zq-s3cret-marker";
        RuleDefinition weak = rule(
                ALLOW,
                List.of(
                        eq("sub", "repo:" + marker + "/app:ref:x"),
                        cond("repository", Operator.GLOB, marker + "*"),
                        cond("environment", Operator.NOT_EQUALS, marker),
                        cond("event_name", Operator.NOT_EQUALS, marker)));

        for (IssuerType type : IssuerType.values()) {
            assertThat(linter.lint(weak, type)).isNotEmpty().allSatisfy(w -> {
                assertThat(w.message()).doesNotContain(marker);
                assertThat(w.suggestedFix()).doesNotContain(marker);
            });
        }
    }

    @Test
    void lintWhenAnyOperatorIssuerTypeOrEffectThenNeverThrows() {
        List<IssuerType> types = new ArrayList<>(Arrays.asList(IssuerType.values()));
        types.add(null);
        for (Operator operator : Operator.values()) {
            Condition condition = switch (operator.arity()) {
                case NONE -> new Condition("event_name", operator, null, null);
                case ONE -> new Condition("event_name", operator, operator == Operator.REGEX ? "(a|b)+" : "a*b?", null);
                case MANY -> new Condition("event_name", operator, null, List.of("a", ""));
            };
            for (IssuerType type : types) {
                for (Effect effect : Effect.values()) {
                    assertThatCode(() -> linter.lint(rule(effect, List.of(condition, eq("a.b", ""))), type))
                            .doesNotThrowAnyException();
                }
            }
        }
    }

    private static Arguments present(
            String name, String code, String condition, IssuerType type, Effect effect, Condition... conditions) {
        return Arguments.of(name, code, true, condition, type, effect, List.of(conditions));
    }

    private static Arguments absent(String name, String code, IssuerType type, Effect effect, Condition... conditions) {
        return Arguments.of(name, code, false, null, type, effect, List.of(conditions));
    }

    private static RuleDefinition rule(Effect effect, List<Condition> conditions) {
        return new RuleDefinition(
                "r", "ci", "a rule", effect, conditions, List.of("https://t"), List.of("deploy"), null, true);
    }

    private static Condition eq(String claim, String value) {
        return new Condition(claim, Operator.EQUALS, value, null);
    }

    private static Condition cond(String claim, Operator operator, String value) {
        return new Condition(claim, operator, value, null);
    }

    private static Condition in(String claim, String... values) {
        return new Condition(claim, Operator.IN, null, List.of(values));
    }
}
