package dev.ferry.policy;

import dev.ferry.config.FerryProperties;
import dev.ferry.web.CallerText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.stereotype.Component;

/**
 * The one place that decides an exchange (docs/rules.md, How a decision is made), and the one that explains it:
 * {@link #decide} looks only at the rules the target index yields, {@link #explain} evaluates every
 * rule of the issuer first; both then run the same steps and reach the same decision.
 *
 * <ol>
 *   <li>a rule matches when it is enabled and all its conditions hold;
 *   <li>a matching deny rule that lists the target, or lists none, refuses: {@code invalid_request};
 *   <li>M = matching allow rules listing the target, or with a templated target that substitutes to
 *       exactly it ({@link Template}); none: {@code invalid_target} if another allow rule matched, else
 *       {@code invalid_request};
 *   <li>requested scopes must all be in the union of M's scopes (templated ones substituted, those that
 *       cannot be left out), else {@code invalid_scope}; none requested means all of them;
 *   <li>DPoP: when a rule of M granting an issued scope has {@code requireDpop} and the request carried
 *       no valid DPoP proof, {@code invalid_dpop_proof};
 *   <li>lifetime: the smallest ttl of the rules of M granting an issued scope, capped by
 *       {@code ferry.token.max-ttl}.
 * </ol>
 *
 * The token rests on the rules of M that grant one of its scopes (all of M when it has none): the
 * strictest of them sets its lifetime and whether it must be bound to a DPoP key.
 */
@Component
public class PolicyEvaluator {

    /**
     * Candidates are looked at in name order, so that a decision (the order of the granted scopes, of
     * the matched rules) does not depend on the order in which the rules were written.
     */
    private static final Comparator<CompiledRule> BY_NAME = Comparator.comparing(CompiledRule::name);

    private final RuleBook ruleBook;
    private final Duration maxTtl;

    @Autowired
    PolicyEvaluator(RuleBook ruleBook, FerryProperties properties) {
        this(ruleBook, properties.token().maxTtl());
    }

    PolicyEvaluator(RuleBook ruleBook, Duration maxTtl) {
        this.ruleBook = ruleBook;
        this.maxTtl = maxTtl;
    }

    /**
     * The decision for the token endpoint: only the rules the index yields are evaluated, granted or
     * refused alike, so a refusal costs no more than a grant however many rules the issuer has (its
     * full explanation is {@link #explain}'s, for operators).
     */
    public Decision decide(DecisionRequest request) {
        return evaluate(request, false);
    }

    /**
     * The decision {@code /token} would make if {@code proposed} were the rules: the same steps on a
     * private rule book, for replaying audited exchanges against a proposed change.
     */
    public Decision decide(ProposedRules proposed, DecisionRequest request) {
        return evaluate(proposed.policy(request.issuer()), request, false);
    }

    /** The same decision, with every rule of the issuer evaluated and traced, for operators. */
    public Decision explain(DecisionRequest request) {
        return evaluate(request, true);
    }

    private Decision evaluate(DecisionRequest request, boolean everyRule) {
        return ruleBook.read(request.issuer(), policy -> evaluate(policy, request, everyRule));
    }

    Decision evaluate(IssuerPolicy policy, DecisionRequest request, boolean everyRule) {
        Trace trace = new Trace(request);
        if (everyRule) {
            policy.all().forEach(trace::matches);
        }
        String target = request.target();
        List<CompiledRule> denying = policy.deniesFor(target, request.claims()).stream()
                .sorted(BY_NAME)
                .filter(trace::matches)
                .filter(trace::concerns)
                .distinct()
                .toList();
        if (!denying.isEmpty()) {
            return trace.refuse(
                    OAuth2ErrorCodes.INVALID_REQUEST,
                    "a trust rule of issuer '" + request.issuer() + "' denies this token for target "
                            + CallerText.shown(target));
        }
        List<CompiledRule> granting = policy.allowsFor(target, request.claims()).stream()
                .sorted(BY_NAME)
                .filter(trace::matches)
                .filter(trace::concerns)
                .distinct()
                .toList();
        if (granting.isEmpty()) {
            boolean otherAllowMatched =
                    policy.allows(request.claims()).stream().sorted(BY_NAME).anyMatch(trace::matches);
            return otherAllowMatched
                    ? trace.refuse(
                            Decision.INVALID_TARGET,
                            "target " + CallerText.shown(target) + " is not granted to this token")
                    : trace.refuse(
                            OAuth2ErrorCodes.INVALID_REQUEST,
                            "no trust rule of issuer '" + request.issuer() + "' admits this token");
        }
        Set<String> granted = new LinkedHashSet<>();
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        granting.forEach(rule -> scopes.put(rule.name(), rule.scopes(request.claims())));
        scopes.values().forEach(granted::addAll);
        List<String> requested = request.requestedScopes();
        if (requested != null && !granted.containsAll(requested)) {
            List<String> missing =
                    requested.stream().filter(s -> !granted.contains(s)).toList();
            return trace.refuse(
                    OAuth2ErrorCodes.INVALID_SCOPE,
                    "scope " + CallerText.shown(String.join(" ", missing)) + " is not granted for target "
                            + CallerText.shown(target));
        }
        List<String> issued = requested != null ? List.copyOf(new LinkedHashSet<>(requested)) : List.copyOf(granted);
        List<CompiledRule> behind = granting.stream()
                .filter(rule ->
                        issued.isEmpty() || scopes.get(rule.name()).stream().anyMatch(issued::contains))
                .toList();
        if (!request.dpopProof()) {
            Decision.Refused unbound = requireDpop(behind, trace, target);
            if (unbound != null) {
                return unbound;
            }
        }
        return new Decision.Granted(
                issued, List.copyOf(granted), lifetime(behind), trace.matchedRules(), trace.results());
    }

    /**
     * Step 5, for a request without a DPoP proof: the refusal when a rule the token would rest on has
     * {@code requireDpop} (docs/rules.md, Requiring DPoP); null when none has. The caller learns what to
     * send; the detail, for operators, names the rules.
     */
    private static Decision.Refused requireDpop(List<CompiledRule> behind, Trace trace, String target) {
        List<String> requiring = behind.stream()
                .filter(CompiledRule::requireDpop)
                .map(CompiledRule::name)
                .toList();
        if (requiring.isEmpty()) {
            return null;
        }
        boolean one = requiring.size() == 1;
        return trace.refuse(
                Decision.INVALID_DPOP_PROOF,
                "a DPoP proof (RFC 9449) is required for target " + CallerText.shown(target)
                        + ": send a DPoP header, and use the token with proofs of the same key",
                (one ? "rule '" : "rules '") + String.join("', '", requiring) + (one ? "' requires" : "' require")
                        + " a DPoP proof (requireDpop) and the request carried none");
    }

    private Duration lifetime(List<CompiledRule> behind) {
        Duration lifetime =
                behind.stream().map(CompiledRule::ttl).min(Duration::compareTo).orElseThrow();
        return lifetime.compareTo(maxTtl) > 0 ? maxTtl : lifetime;
    }

    /** Each rule evaluated at most once per decision, in order, with its result kept for the reasons. */
    private static final class Trace {
        private final DecisionRequest request;
        private final Map<String, RuleResult> results = new LinkedHashMap<>();

        Trace(DecisionRequest request) {
            this.request = request;
        }

        boolean matches(CompiledRule rule) {
            return result(rule).matched();
        }

        /** Whether the rule lists the requested target, or a template of its substitutes to exactly it. */
        boolean concerns(CompiledRule rule) {
            return result(rule).targetsRequested();
        }

        private RuleResult result(CompiledRule rule) {
            return results.computeIfAbsent(rule.name(), name -> rule.evaluate(request.claims(), request.target()));
        }

        List<RuleResult> results() {
            return List.copyOf(results.values());
        }

        List<String> matchedRules() {
            List<String> matched = new ArrayList<>();
            results.values().stream().filter(RuleResult::matched).forEach(r -> matched.add(r.rule()));
            return matched;
        }

        Decision.Refused refuse(String error, String description) {
            return refuse(error, description, description);
        }

        Decision.Refused refuse(String error, String description, String detail) {
            return new Decision.Refused(error, description, matchedRules(), results(), detail);
        }
    }
}
