package dev.ferry.policy;

import dev.ferry.federation.IssuerType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds the weak spots of a trust rule that the validator accepts (docs/rules.md, Linter warnings: a rule's
 * {@code warnings}): allow rules not pinned to immutable ids, patterns broader than they look, and
 * GitHub/GitLab specifics such as the two GitHub {@code sub} forms and {@code pull_request_target}.
 *
 * <p>Pure and deterministic: no I/O, warnings in the order of their codes as listed in {@link
 * #lint}, then by condition index. Deny rules, and every rule of an {@code oidc} issuer, get only the
 * pattern-quality warnings ({@code glob-prefix-mid-segment}, {@code matches-everything}, {@code
 * template-not-delimited}). The guardrails from published incidents are in {@link GuardrailLints}.
 */
@org.springframework.stereotype.Component
public class RuleLinter {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> GITHUB_REF_CLAIMS =
            List.of("ref", "environment", "workflow_ref", "job_workflow_ref", "sub");
    private static final List<String> GITLAB_REF_CLAIMS = List.of("ref", "environment", "ref_protected", "sub");
    /** Values a condition must accept to count as matching everything: any single-line, non-empty text. */
    private static final List<String> PROBES = List.of(
            "a",
            "Z",
            "0",
            "-1",
            "true",
            " ",
            "refs/heads/main",
            "repo:acme/app:ref:refs/heads/main",
            "repo:acme@1/app@2:environment:prod",
            "ünïcödé ✓ 漢字 🚀",
            "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
            "x".repeat(2048));

    /** Every code the linter can give, in the order {@link #lint} gives them. */
    public static final List<String> CODES = List.of(
            "github-not-pinned-to-id",
            "glob-prefix-mid-segment",
            "sub-single-form",
            "no-ref-constraint",
            "gitlab-not-pinned-to-id",
            "gitlab-unprotected-refs",
            "matches-everything",
            "admits-pull-request-target",
            GuardrailLints.UNBOUND_IDENTITY,
            GuardrailLints.TEMPLATE_NOT_DELIMITED,
            GuardrailLints.TEMPLATE_MUTABLE_CLAIM,
            GuardrailLints.ADMITS_UNTRUSTED_EVENT,
            GuardrailLints.WORKFLOW_REF_FOR_CALLED_WORKFLOW,
            GuardrailLints.JOB_WORKFLOW_REF_AS_CALLER_REF,
            GuardrailLints.DPOP_NOT_REQUIRED);

    private enum SubjectForm {
        CLASSIC,
        IMMUTABLE
    }

    /**
     * Lints one rule, in this order: {@code github-not-pinned-to-id}, {@code glob-prefix-mid-segment},
     * {@code sub-single-form}, {@code no-ref-constraint}, {@code gitlab-not-pinned-to-id}, {@code
     * gitlab-unprotected-refs}, {@code matches-everything}, {@code admits-pull-request-target}, {@code
     * unbound-identity}, {@code template-not-delimited}, {@code template-mutable-claim}, {@code
     * admits-untrusted-event}, {@code workflow-ref-for-called-workflow}, {@code job-workflow-ref-as-caller-ref},
     * {@code dpop-not-required} ({@link #CODES}).
     *
     * @param rule a rule the validator accepts
     * @param issuerType the type of the rule's issuer; null is linted like {@code oidc}
     * @return the warnings, empty when there is nothing to say
     */
    public List<LintWarning> lint(RuleDefinition rule, IssuerType issuerType) {
        List<Condition> conditions = rule.conditions();
        boolean allow = rule.effect() == Effect.ALLOW;
        boolean github = allow && issuerType == IssuerType.GITHUB;
        boolean gitlab = allow && issuerType == IssuerType.GITLAB;
        List<LintWarning> warnings = new ArrayList<>();
        if (github) {
            githubNotPinnedToId(conditions).ifPresent(warnings::add);
        }
        warnings.addAll(globPrefixMidSegment(conditions));
        if (github) {
            warnings.addAll(subSingleForm(conditions));
        }
        if (github || gitlab) {
            noRefConstraint(conditions, github).ifPresent(warnings::add);
        }
        if (gitlab) {
            gitlabNotPinnedToId(conditions).ifPresent(warnings::add);
            gitlabUnprotectedRefs(conditions).ifPresent(warnings::add);
        }
        warnings.addAll(matchesEverything(conditions));
        if (github) {
            admitsPullRequestTarget(conditions).ifPresent(warnings::add);
        }
        if (github || gitlab) {
            GuardrailLints.unboundIdentity(conditions, issuerType).ifPresent(warnings::add);
        }
        if (allow) {
            warnings.addAll(GuardrailLints.templates(rule, issuerType));
        }
        if (github) {
            GuardrailLints.admitsUntrustedEvent(rule).ifPresent(warnings::add);
            warnings.addAll(GuardrailLints.workflowRefForCalledWorkflow(conditions));
            GuardrailLints.jobWorkflowRefAsCallerRef(conditions).ifPresent(warnings::add);
        }
        GuardrailLints.dpopNotRequired(rule, issuerType).ifPresent(warnings::add);
        return List.copyOf(warnings);
    }

    private static Optional<LintWarning> githubNotPinnedToId(List<Condition> conditions) {
        if (pins(conditions, Set.of("repository_owner_id", "repository_id"))) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                "github-not-pinned-to-id",
                "This GitHub allow rule is not pinned to a numeric owner or repository id. Owner and repository"
                        + " names can be registered again by someone else after a rename or deletion; ids cannot.",
                null,
                "Add a condition 'repository_owner_id equals <numeric id>' (and 'repository_id equals <numeric id>'"
                        + " to admit a single repository)."));
    }

    private static List<LintWarning> globPrefixMidSegment(List<Condition> conditions) {
        return each(
                conditions,
                c -> c.operator() == Operator.GLOB && prefixEndsMidSegment(c.value()),
                (c, at) -> new LintWarning(
                        "glob-prefix-mid-segment",
                        "The glob on claim '" + c.claim() + "' puts a wildcard in the middle of a name: its literal"
                                + " text before the first wildcard does not end at '/', ':' or '@', so it also matches"
                                + " longer names (a glob 'repo:acme*' also matches 'repo:acme-evil/app').",
                        at,
                        "End the literal text at a separator before the wildcard (e.g. 'repo:acme/*' rather than"
                                + " 'repo:acme*'), or list the exact values with 'in'."));
    }

    private static List<LintWarning> subSingleForm(List<Condition> conditions) {
        return each(conditions, c -> subjectForms(c).size() == 1, (c, at) -> {
            boolean classic = subjectForms(c).contains(SubjectForm.CLASSIC);
            return new LintWarning(
                    "sub-single-form",
                    "This condition on 'sub' knows only GitHub's " + (classic ? "classic" : "immutable")
                            + " subject form; GitHub issues both 'repo:OWNER/REPO:...' and the immutable"
                            + " 'repo:OWNER@OWNER_ID/REPO@REPO_ID:...' (which new repositories get), so tokens in the"
                            + " other form will not match.",
                    at,
                    "Match both forms, or better, condition on 'repository_owner_id' or 'repository_id' and on"
                            + " 'ref' instead of 'sub'.");
        });
    }

    private static Optional<LintWarning> noRefConstraint(List<Condition> conditions, boolean github) {
        List<String> refClaims = github ? GITHUB_REF_CLAIMS : GITLAB_REF_CLAIMS;
        if (conditions.stream().anyMatch(c -> refClaims.contains(c.claim()) && constrains(c))) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                "no-ref-constraint",
                "Nothing in this allow rule restricts the branch, environment or workflow, so any branch or workflow"
                        + " of the admitted repositories qualifies. Conditions that count are on: "
                        + String.join(", ", refClaims) + ".",
                null,
                github
                        ? "Add 'ref equals refs/heads/main' or an 'environment' condition."
                        : "Add 'ref equals main' or an 'environment' condition."));
    }

    private static Optional<LintWarning> gitlabNotPinnedToId(List<Condition> conditions) {
        if (pins(conditions, Set.of("namespace_id", "project_id"))) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                "gitlab-not-pinned-to-id",
                "This GitLab allow rule is not pinned to a numeric namespace or project id. Group and project paths"
                        + " can be taken by someone else after a rename, transfer or deletion; ids cannot.",
                null,
                "Add 'namespace_id equals <numeric id>' or 'project_id equals <numeric id>'."));
    }

    private static Optional<LintWarning> gitlabUnprotectedRefs(List<Condition> conditions) {
        boolean protectedOnly = conditions.stream()
                .anyMatch(c -> c.claim().equals("ref_protected")
                        && (c.operator() == Operator.EQUALS && c.value().equals("true")
                                || c.operator() == Operator.IN
                                        && c.values().stream().allMatch("true"::equals)));
        if (protectedOnly) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                "gitlab-unprotected-refs",
                "This GitLab allow rule does not require a protected branch or tag, so a pipeline on any branch"
                        + " that a developer can push qualifies.",
                null,
                "Add 'ref_protected equals true'."));
    }

    private static List<LintWarning> matchesEverything(List<Condition> conditions) {
        return each(
                conditions,
                RuleLinter::matchesEverything,
                (c, at) -> new LintWarning(
                        "matches-everything",
                        "This " + c.operator().jsonName() + " condition on claim '" + c.claim()
                                + "' holds for every value the"
                                + " claim can have, so it checks nothing but the claim's presence.",
                        at,
                        "Remove it, use 'exists' if presence is what you mean, or narrow the pattern."));
    }

    private static Optional<LintWarning> admitsPullRequestTarget(List<Condition> conditions) {
        List<Integer> onEvent = IntStream.range(0, conditions.size())
                .filter(i -> conditions.get(i).claim().equals("event_name"))
                .boxed()
                .toList();
        if (!onEvent.stream()
                .allMatch(i ->
                        holds(CompiledCondition.compile(conditions.get(i)), "event_name", "pull_request_target"))) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                "admits-pull-request-target",
                "This GitHub allow rule admits workflows triggered by pull_request_target, which run with the base"
                        + " repository's privileges while they may check out code from a fork.",
                onEvent.isEmpty() ? null : at(onEvent.get(0)),
                "Add a condition on event_name to this rule, such as 'event_name in [push, workflow_dispatch]' or"
                        + " 'event_name notEquals pull_request_target' (each rule is linted on its own, so a separate deny"
                        + " rule does not clear this warning)."));
    }

    /** True when some {@code equals} or {@code in} condition pins one of the claims. */
    private static boolean pins(List<Condition> conditions, Set<String> claims) {
        return conditions.stream()
                .anyMatch(c ->
                        claims.contains(c.claim()) && (c.operator() == Operator.EQUALS || c.operator() == Operator.IN));
    }

    /** The char before a glob's first wildcard is not a separator; no warning without a literal prefix. */
    private static boolean prefixEndsMidSegment(String glob) {
        int star = glob.indexOf('*');
        int question = glob.indexOf('?');
        int first = star < 0 ? question : question < 0 ? star : Math.min(star, question);
        return first > 0 && "/:@".indexOf(glob.charAt(first - 1)) < 0;
    }

    /** A positive test that narrows the claim: not exists, not negated, not open-ended. */
    private static boolean constrains(Condition c) {
        return c.operator().arity() != Operator.Arity.NONE
                && !c.operator().negated()
                && !matchesEverything(c)
                && !(c.claim().equals("sub") && subAdmitsAnyBranch(c));
    }

    /** A positive glob or regex that accepts every probe value. */
    private static boolean matchesEverything(Condition c) {
        if (c.operator() != Operator.GLOB && c.operator() != Operator.REGEX) {
            return false;
        }
        CompiledCondition compiled = CompiledCondition.compile(c);
        return PROBES.stream().allMatch(probe -> holds(compiled, c.claim(), probe));
    }

    private static boolean holds(CompiledCondition condition, String claim, String value) {
        return condition.evaluate(JSON.createObjectNode().put(claim, value)).holds();
    }

    /**
     * Whether a GitHub {@code sub} glob or regex leaves the part after the repository open, such as {@code
     * repo:acme/app:*}: it holds for its own literal text up to that part followed by a made-up branch.
     */
    private static boolean subAdmitsAnyBranch(Condition c) {
        if (c.operator() != Operator.GLOB && c.operator() != Operator.REGEX) {
            return false;
        }
        String text = c.operator() == Operator.GLOB ? c.value().replace("*", "").replace("?", "x") : c.value();
        int start = text.indexOf("repo:");
        if (start < 0) {
            return false;
        }
        int colon = text.indexOf(':', start + "repo:".length());
        String repository = colon < 0 ? text : text.substring(0, colon + 1);
        return holds(CompiledCondition.compile(c), "sub", repository + "ref:refs/heads/ferry-lint-probe");
    }

    /**
     * The GitHub subject forms a positive condition on {@code sub} can match, judged from the text of its
     * values: a value with {@code repo:} and an {@code @} before the next {@code /} is immutable, without it
     * classic; a wildcard in the owner part may match either. Values without {@code repo:} say nothing.
     */
    private static Set<SubjectForm> subjectForms(Condition c) {
        Set<SubjectForm> forms = EnumSet.noneOf(SubjectForm.class);
        if (!c.claim().equals("sub") || c.operator().negated() || c.operator().arity() == Operator.Arity.NONE) {
            return forms;
        }
        for (String value : c.values() != null ? c.values() : List.of(c.value())) {
            int start = value.indexOf("repo:");
            if (start >= 0) {
                int slash = value.indexOf('/', start);
                String owner = value.substring(start + "repo:".length(), slash < 0 ? value.length() : slash);
                if (ownerMayHoldId(owner, c.operator())) {
                    return EnumSet.allOf(SubjectForm.class);
                }
                forms.add(owner.contains("@") ? SubjectForm.IMMUTABLE : SubjectForm.CLASSIC);
            }
        }
        return forms;
    }

    /** Whether a pattern's owner part may match both with and without {@code @OWNER_ID}. */
    private static boolean ownerMayHoldId(String owner, Operator operator) {
        return switch (operator) {
            case GLOB -> owner.contains("*");
            case REGEX -> List.of(".", "?", "|", "[^", "\\S", "\\W").stream().anyMatch(owner::contains);
            default -> false;
        };
    }

    private static List<LintWarning> each(
            List<Condition> conditions, Predicate<Condition> test, BiFunction<Condition, String, LintWarning> warning) {
        return IntStream.range(0, conditions.size())
                .filter(i -> test.test(conditions.get(i)))
                .mapToObj(i -> warning.apply(conditions.get(i), at(i)))
                .toList();
    }

    private static String at(int index) {
        return "conditions[" + index + "]";
    }
}
