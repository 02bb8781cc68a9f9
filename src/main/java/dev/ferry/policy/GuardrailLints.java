package dev.ferry.policy;

import dev.ferry.federation.IssuerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import tools.jackson.databind.json.JsonMapper;

/**
 * The linter's guardrails from published CI-to-cloud incidents (docs/rules.md, Guardrails): rules bound
 * only to claims a workflow's author controls, templates that substitute renameable or ambiguous
 * values, events that run untrusted code with the base repository's identity, and reusable workflows
 * pinned by the caller's claims. Pure: each method looks at one rule.
 */
final class GuardrailLints {

    static final String UNBOUND_IDENTITY = "unbound-identity";
    static final String TEMPLATE_NOT_DELIMITED = "template-not-delimited";
    static final String TEMPLATE_MUTABLE_CLAIM = "template-mutable-claim";
    static final String ADMITS_UNTRUSTED_EVENT = "admits-untrusted-event";
    static final String WORKFLOW_REF_FOR_CALLED_WORKFLOW = "workflow-ref-for-called-workflow";
    static final String JOB_WORKFLOW_REF_AS_CALLER_REF = "job-workflow-ref-as-caller-ref";
    static final String DPOP_NOT_REQUIRED = "dpop-not-required";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Claims that bind a GitHub token to an owner, repository or enterprise. */
    private static final Set<String> GITHUB_IDENTITY = Set.of(
            "repository_owner_id",
            "repository_id",
            "repository_owner",
            "repository",
            "enterprise_id",
            "enterprise",
            "sub",
            "workflow_ref",
            "job_workflow_ref");
    /** Claims that bind a GitLab token to a group or project. */
    private static final Set<String> GITLAB_IDENTITY =
            Set.of("namespace_id", "project_id", "namespace_path", "project_path", "sub", "ci_config_ref_uri");
    /** Renameable claims, with the immutable id claim that names the same thing. */
    private static final Map<String, String> MUTABLE = Map.of(
            "repository_owner", "repository_owner_id",
            "repository", "repository_id",
            "actor", "actor_id",
            "triggering_actor", "actor_id",
            "namespace_path", "namespace_id",
            "project_path", "project_id",
            "user_login", "user_id",
            "user_email", "user_id");
    /** Events whose runs execute code from outside the repository with the base repository's identity. */
    private static final List<String> UNTRUSTED_EVENTS = List.of("workflow_run", "issue_comment");

    /**
     * Words that make a scope write-like (docs/rules.md, Guardrails): it changes, ships or removes
     * something. Matched anywhere in the scope, in any case: {@code deploy:prod}, {@code packages.write}
     * and {@code Releases} all count.
     */
    static final List<String> WRITE_WORDS = List.of("write", "deploy", "push", "publish", "admin", "delete", "release");

    private GuardrailLints() {}

    /**
     * {@code unbound-identity}: no condition binds the token to an owner, repository or project, so every
     * repository on the issuer (all of github.com, all of gitlab.com) whose author sets the other claims
     * gets the token. A glob binds only when its literal text reaches a '/' (the owner) before a wildcard.
     */
    static Optional<LintWarning> unboundIdentity(List<Condition> conditions, IssuerType type) {
        Set<String> identity = type == IssuerType.GITHUB ? GITHUB_IDENTITY : GITLAB_IDENTITY;
        if (conditions.stream().anyMatch(c -> identity.contains(c.claim()) && binds(c))) {
            return Optional.empty();
        }
        String issuer = type == IssuerType.GITHUB ? "GitHub" : "GitLab";
        return Optional.of(new LintWarning(
                UNBOUND_IDENTITY,
                "Nothing in this " + issuer + " allow rule binds the token to an owner, repository or project: its"
                        + " conditions are on claims that whoever writes a workflow controls (branch, environment,"
                        + " workflow name, event, actor). Anyone who can run a pipeline on this issuer, in any"
                        + " repository, can get this token.",
                null,
                type == IssuerType.GITHUB
                        ? "Add 'repository_owner_id equals <numeric id>' (and 'repository_id' for one repository)."
                        : "Add 'namespace_id equals <numeric id>' or 'project_id equals <numeric id>'."));
    }

    /** A positive condition that narrows an identity claim to named owners. */
    private static boolean binds(Condition c) {
        if (c.operator().negated() || c.operator().arity() == Operator.Arity.NONE) {
            return false;
        }
        return switch (c.operator()) {
            case EQUALS, IN -> true;
            case GLOB -> {
                String glob = c.value();
                int wildcard = firstWildcard(glob);
                yield wildcard < 0 || glob.substring(0, wildcard).indexOf('/') >= 0;
            }
            case REGEX -> !holds(c, "ferry-lint-probe") && !holds(c, "repo:ferry-lint-probe/app:ref:refs/heads/main");
            default -> false;
        };
    }

    /** {@code template-not-delimited} and {@code template-mutable-claim}, for each templated target and scope. */
    static List<LintWarning> templates(RuleDefinition rule, IssuerType type) {
        List<LintWarning> undelimited = new ArrayList<>();
        List<LintWarning> mutable = new ArrayList<>();
        inspect("targets", rule.targets(), type, undelimited, mutable);
        inspect("scopes", rule.scopes(), type, undelimited, mutable);
        List<LintWarning> warnings = new ArrayList<>(undelimited);
        warnings.addAll(mutable);
        return warnings;
    }

    private static void inspect(
            String field,
            List<String> entries,
            IssuerType type,
            List<LintWarning> undelimited,
            List<LintWarning> mutable) {
        for (int i = 0; i < entries.size(); i++) {
            Template template;
            try {
                template = Template.parse(entries.get(i));
            } catch (Template.SyntaxError e) {
                continue;
            }
            String at = field + "[" + i + "]";
            if (!delimited(template)) {
                undelimited.add(new LintWarning(
                        TEMPLATE_NOT_DELIMITED,
                        "In " + at + " a placeholder is followed by literal text that a claim value could also hold,"
                                + " so one token's value plus that text can spell what another token's value spells"
                                + " ('ns-${repository_owner}-prod' for owner 'acme' is also 'ns-${repository_owner}'"
                                + " for an owner named 'acme-prod').",
                        null,
                        "End each placeholder at the end of the text or at a character no value may hold, such as"
                                + " '/' or ':' ('ns/${repository_owner_id}/prod')."));
            }
            if (type == IssuerType.GITHUB || type == IssuerType.GITLAB) {
                template.claims().stream()
                        .filter(MUTABLE::containsKey)
                        .distinct()
                        .forEach(claim -> mutable.add(new LintWarning(
                                TEMPLATE_MUTABLE_CLAIM,
                                "In " + at + " the placeholder uses claim '" + claim + "', a name that can be renamed"
                                        + " or registered again by someone else; whoever takes the name then gets what"
                                        + " the template grants to it.",
                                null,
                                "Use '${" + MUTABLE.get(claim) + "}', which never changes and is never reused.")));
            }
        }
    }

    /** Every placeholder ends the text or is followed by a character its value can never hold. */
    static boolean delimited(Template template) {
        List<Template.Part> parts = template.parts();
        for (int i = 0; i < parts.size(); i++) {
            Template.Part part = parts.get(i);
            if (!part.placeholder() || i + 1 == parts.size()) {
                continue;
            }
            Template.Part next = parts.get(i + 1);
            if (next.placeholder()) {
                return false;
            }
            char following = next.literal().charAt(0);
            if (Template.safe(following) || (following == '/' && part.path())) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code admits-untrusted-event}: a GitHub allow rule that grants scopes and admits {@code workflow_run}
     * or {@code issue_comment} runs (its conditions on {@code event_name}, if any, hold for them).
     */
    static Optional<LintWarning> admitsUntrustedEvent(RuleDefinition rule) {
        if (rule.scopes().isEmpty()) {
            return Optional.empty();
        }
        List<Condition> conditions = rule.conditions();
        List<Integer> onEvent = IntStream.range(0, conditions.size())
                .filter(i -> conditions.get(i).claim().equals("event_name"))
                .boxed()
                .toList();
        List<String> admitted = UNTRUSTED_EVENTS.stream()
                .filter(event -> onEvent.stream().allMatch(i -> holds(conditions.get(i), event)))
                .toList();
        if (admitted.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                ADMITS_UNTRUSTED_EVENT,
                "This GitHub allow rule grants scopes to runs triggered by " + String.join(" and ", admitted)
                        + ": such runs use the base repository's identity and default branch while they can act on"
                        + " what a fork or a commenter supplies (artifacts of a fork's run, a comment's text), so an"
                        + " outsider may steer them into using the token.",
                onEvent.isEmpty() ? null : "conditions[" + onEvent.get(0) + "]",
                "Add 'event_name in [push, workflow_dispatch]' (or the events you mean) to this rule."));
    }

    /**
     * {@code workflow-ref-for-called-workflow}: a rule that means to pin a reusable workflow it calls, but
     * constrains {@code workflow_ref} (always the caller's own top-level workflow) with a repository part
     * left open or naming another repository than the rule admits, or puts a workflow path in {@code ref}.
     */
    static List<LintWarning> workflowRefForCalledWorkflow(List<Condition> conditions) {
        List<String> repositories = conditions.stream()
                .filter(c -> c.claim().equals("repository") && !c.operator().negated())
                .flatMap(c -> c.operator() == Operator.EQUALS
                        ? List.of(c.value()).stream()
                        : c.operator() == Operator.IN ? c.values().stream() : java.util.stream.Stream.<String>empty())
                .toList();
        List<LintWarning> warnings = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            if (c.operator().negated() || c.operator().arity() == Operator.Arity.NONE) {
                continue;
            }
            List<String> values = c.values() != null ? c.values() : List.of(c.value());
            boolean flagged = switch (c.claim()) {
                case "workflow_ref" ->
                    values.stream().anyMatch(v -> namesAnotherRepository(v, c.operator(), repositories));
                case "ref" -> values.stream().anyMatch(v -> v.contains(".github/workflows/"));
                default -> false;
            };
            if (flagged) {
                warnings.add(new LintWarning(
                        WORKFLOW_REF_FOR_CALLED_WORKFLOW,
                        "This condition on '" + c.claim() + "' looks like it means a reusable workflow the job calls,"
                                + " but '" + c.claim() + "' is the caller's: 'workflow_ref' names the caller's own"
                                + " top-level workflow and 'ref' its branch. With the repository part open, any"
                                + " repository with a workflow at that path qualifies.",
                        "conditions[" + i + "]",
                        "Pin the called workflow with 'job_workflow_ref' (e.g. 'job_workflow_ref equals"
                                + " acme/workflows/.github/workflows/deploy.yml@refs/heads/main'), and bind the caller"
                                + " with 'repository_owner_id'."));
            }
        }
        return warnings;
    }

    /** The {@code owner/repo} part of a workflow ref value is open (a wildcard) or not one the rule admits. */
    private static boolean namesAnotherRepository(String value, Operator operator, List<String> repositories) {
        int second = value.indexOf('/', value.indexOf('/') + 1);
        String repository = second < 0 ? value : value.substring(0, second);
        if (operator == Operator.GLOB && firstWildcard(repository) >= 0) {
            return true;
        }
        if (operator == Operator.REGEX) {
            return false;
        }
        return !repositories.isEmpty() && !repositories.contains(repository);
    }

    /**
     * {@code job-workflow-ref-as-caller-ref}: the rule constrains {@code job_workflow_ref} but not the
     * caller's branch or environment. The {@code @ref} of {@code job_workflow_ref} is the version of the
     * called workflow, which the caller picks; it says nothing of the branch the caller runs on.
     */
    static Optional<LintWarning> jobWorkflowRefAsCallerRef(List<Condition> conditions) {
        int at = IntStream.range(0, conditions.size())
                .filter(i -> conditions.get(i).claim().equals("job_workflow_ref")
                        && !conditions.get(i).operator().negated()
                        && conditions.get(i).operator().arity() != Operator.Arity.NONE)
                .findFirst()
                .orElse(-1);
        boolean callerRef = conditions.stream()
                .anyMatch(c -> List.of("ref", "environment", "workflow_ref").contains(c.claim())
                        && !c.operator().negated()
                        && c.operator().arity() != Operator.Arity.NONE);
        if (at < 0 || callerRef) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                JOB_WORKFLOW_REF_AS_CALLER_REF,
                "This rule constrains 'job_workflow_ref' but not the caller's branch: the '@ref' in"
                        + " 'job_workflow_ref' is the version of the called workflow, which the caller picks, so a"
                        + " workflow on any branch of the admitted repositories (an unreviewed one too) qualifies.",
                "conditions[" + at + "]",
                "Add 'ref equals refs/heads/main' or an 'environment' condition for the caller."));
    }

    private static int firstWildcard(String glob) {
        int star = glob.indexOf('*');
        int question = glob.indexOf('?');
        return star < 0 ? question : question < 0 ? star : Math.min(star, question);
    }

    private static boolean holds(Condition c, String value) {
        return CompiledCondition.compile(c)
                .evaluate(JSON.createObjectNode().put(c.claim(), value))
                .holds();
    }

    /**
     * {@code dpop-not-required}: an allow rule of a public CI issuer (GitHub, GitLab) grants a write-like
     * scope ({@link #WRITE_WORDS}) and does not require DPoP, so a token stolen from a runner (a compromised
     * third-party action dumping its memory or logs) works for whoever holds it until it expires. A
     * suggestion for once the gateways of the rule's targets verify DPoP (docs/gateways.md).
     */
    static Optional<LintWarning> dpopNotRequired(RuleDefinition rule, IssuerType type) {
        if (rule.effect() != Effect.ALLOW
                || Boolean.TRUE.equals(rule.requireDpop())
                || (type != IssuerType.GITHUB && type != IssuerType.GITLAB)) {
            return Optional.empty();
        }
        List<String> writing =
                rule.scopes().stream().filter(GuardrailLints::writeLike).toList();
        if (writing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LintWarning(
                DPOP_NOT_REQUIRED,
                "This allow rule grants the write-like scope" + (writing.size() == 1 ? " '" : "s '")
                        + String.join("', '", writing) + "' to CI jobs of a public issuer as a bearer token: a token"
                        + " stolen from a runner's memory or logs works for whoever holds it until it expires.",
                null,
                "Once the gateways of its targets verify DPoP (docs/gateways.md), set 'requireDpop: true' and have"
                        + " the jobs send a DPoP proof: the token is then bound to a key the job never exports."));
    }

    private static boolean writeLike(String scope) {
        String lower = scope.toLowerCase(java.util.Locale.ROOT);
        return WRITE_WORDS.stream().anyMatch(lower::contains);
    }
}
