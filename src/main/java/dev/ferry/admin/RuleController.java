package dev.ferry.admin;

import dev.ferry.audit.RuleUsage;
import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerService;
import dev.ferry.federation.IssuerType;
import dev.ferry.impact.Proposal;
import dev.ferry.policy.LintWarning;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleGuardrails;
import dev.ferry.policy.RuleLinter;
import dev.ferry.policy.RuleService;
import io.swagger.v3.oas.annotations.Parameter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** {@code /admin/v1/rules}: the trust rules that decide exchanges, each shown with its linter warnings. */
@RestController
@RequestMapping("/admin/v1/rules")
class RuleController {

    static final int MAX_PAGE = 500;
    /** The usage the rule list shows, and {@code GET .../usage} by default. */
    static final Duration USAGE_WINDOW = Duration.ofDays(30);

    static final Duration MAX_USAGE_WINDOW = Duration.ofDays(400);

    private final RuleService rules;
    private final IssuerService issuers;
    private final RuleLinter linter;
    private final RuleGuardrails guardrails;
    private final DefinitionWriter writer;
    private final RuleUsage usage;
    private final ImpactRequests impact;
    private final FerryProperties.Audit audit;
    private final Clock clock;

    RuleController(
            RuleService rules,
            IssuerService issuers,
            RuleLinter linter,
            RuleGuardrails guardrails,
            DefinitionWriter writer,
            RuleUsage usage,
            ImpactRequests impact,
            FerryProperties properties,
            Clock clock) {
        this.rules = rules;
        this.issuers = issuers;
        this.linter = linter;
        this.guardrails = guardrails;
        this.writer = writer;
        this.usage = usage;
        this.impact = impact;
        this.audit = properties.audit();
        this.clock = clock;
    }

    /**
     * Every rule; or, with {@code limit}, a page of them in name order ({@code issuer} narrows both),
     * the next page linked in an RFC 8288 {@code Link: <...>; rel="next"} header. With {@code
     * warnings=refused}, only the rules that {@code ferry.lint.refuse} would refuse as they are (a page may
     * then hold fewer than {@code limit}; follow the link to the end).
     */
    @GetMapping
    ResponseEntity<List<RuleResponse>> list(
            @RequestParam(required = false) String issuer,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String warnings) {
        if (warnings != null && !warnings.equals("refused")) {
            throw new DefinitionException.Invalid("warnings", "warnings takes one value: refused");
        }
        ResponseEntity<List<RuleResponse>> answer = list(issuer, limit, cursor);
        if (warnings == null) {
            return answer;
        }
        return ResponseEntity.status(answer.getStatusCode())
                .headers(answer.getHeaders())
                .body(answer.getBody().stream()
                        .filter(rule -> !rule.refused().isEmpty())
                        .toList());
    }

    private ResponseEntity<List<RuleResponse>> list(String issuer, Integer limit, String cursor) {
        if (limit == null) {
            if (cursor != null) {
                throw new DefinitionException.Invalid(
                        "cursor", "a cursor goes with the limit of the page it came from");
            }
            List<Stored<RuleDefinition>> all = issuer == null ? rules.list() : rules.ofIssuer(issuer);
            return ResponseEntity.ok(responses(all));
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new DefinitionException.Invalid("limit", "limit must be between 1 and " + MAX_PAGE);
        }
        List<Stored<RuleDefinition>> page = rules.page(issuer, RuleCursor.decode(cursor), limit + 1);
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok();
        if (page.size() > limit) {
            page = page.subList(0, limit);
            String next = UriComponentsBuilder.fromPath("/admin/v1/rules")
                    .queryParamIfPresent("issuer", java.util.Optional.ofNullable(issuer))
                    .queryParam("limit", limit)
                    .queryParam(
                            "cursor",
                            RuleCursor.encode(page.get(limit - 1).definition().name()))
                    .encode()
                    .toUriString();
            answer.header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"");
        }
        return answer.body(responses(page));
    }

    @GetMapping("/{name}")
    ResponseEntity<RuleResponse> get(@PathVariable String name) {
        return withETag(response(rules.get(name)));
    }

    /**
     * What the rule was used for since the UTC day {@code window} ago (default the last 30 days): the
     * exchanges it matched, issued and refused, and their most frequent subjects and targets. Read
     * from a daily rollup that audit retention leaves alone, so the window may be longer than it.
     */
    @GetMapping("/{name}/usage")
    RuleUsage.Report usage(
            @PathVariable String name,
            @Parameter(description = "how far back, ISO 8601 (P30D by default, at most P400D)")
                    @RequestParam(required = false)
                    String window,
            @Parameter(description = "how many subjects and targets to list (1 to " + MAX_PAGE + ", 20 by default)")
                    @RequestParam(defaultValue = "20")
                    int top) {
        rules.get(name);
        if (top < 1 || top > MAX_PAGE) {
            throw new DefinitionException.Invalid("top", "top must be between 1 and " + MAX_PAGE);
        }
        return usage.of(name, since(window), top);
    }

    @GetMapping("/{name}/lint")
    List<LintWarning> lint(@PathVariable String name) {
        return warnings(rules.get(name).definition());
    }

    /** Creates a rule; {@code ?dryRun=true} validates and lints it as a real write would and answers 200 with what would be stored. */
    @PostMapping
    ResponseEntity<RuleResponse> create(
            @RequestBody RuleDefinition definition,
            @RequestParam(defaultValue = "false") boolean dryRun,
            @Parameter(description = DefinitionSetController.IMPACT) @RequestParam(required = false) String impact,
            @Parameter(description = DefinitionSetController.IMPACT_BUDGET) @RequestParam(required = false)
                    String impactBudget,
            Authentication caller) {
        boolean withImpact = this.impact.asked(impact, impactBudget, dryRun);
        RuleResponse created = response(writer.createRule(Principals.name(caller), definition, dryRun));
        if (dryRun) {
            return ResponseEntity.ok(withImpact ? withImpact(created, impact, impactBudget) : created);
        }
        return ResponseEntity.created(
                        URI.create("/admin/v1/rules/" + created.definition().name()))
                .eTag(ETags.of(created.version()))
                .body(created);
    }

    /** Replaces a rule (with {@code If-Match}: only that version); {@code ?dryRun=true} stores nothing. */
    @PutMapping("/{name}")
    ResponseEntity<RuleResponse> replace(
            @PathVariable String name,
            @RequestBody RuleDefinition definition,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            @RequestParam(defaultValue = "false") boolean dryRun,
            @Parameter(description = DefinitionSetController.IMPACT) @RequestParam(required = false) String impact,
            @Parameter(description = DefinitionSetController.IMPACT_BUDGET) @RequestParam(required = false)
                    String impactBudget,
            Authentication caller) {
        boolean withImpact = this.impact.asked(impact, impactBudget, dryRun);
        RuleResponse replaced = response(
                writer.replaceRule(Principals.name(caller), name, definition, ETags.expectedVersion(ifMatch), dryRun));
        if (withImpact) {
            return ResponseEntity.ok(withImpact(replaced, impact, impactBudget));
        }
        return dryRun ? ResponseEntity.ok(replaced) : withETag(replaced);
    }

    /** The dry run's answer with what the rule, as it would be stored, would have done to the window. */
    private RuleResponse withImpact(RuleResponse proposed, String window, String budget) {
        return proposed.withImpact(this.impact.replay(
                window,
                budget,
                () -> Proposal.withRule(
                        rules.list().stream().map(Stored::definition).toList(),
                        issuers.list().stream().map(Stored::definition).toList(),
                        proposed.definition())));
    }

    private LocalDate since(String window) {
        Duration length = Windows.parse("window", window, USAGE_WINDOW, MAX_USAGE_WINDOW, "P400D");
        return LocalDate.ofInstant(clock.instant().minus(length), ZoneOffset.UTC);
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name, Authentication caller) {
        writer.deleteRule(Principals.name(caller), name);
        return ResponseEntity.noContent().build();
    }

    private RuleResponse response(Stored<RuleDefinition> stored) {
        return response(stored, warnings(stored.definition()));
    }

    private RuleResponse response(Stored<RuleDefinition> stored, List<LintWarning> warnings) {
        return RuleResponse.of(stored, warnings, guardrails.refused(stored.definition(), warnings));
    }

    /** Many rules, linted with their issuers' types read once, not once a rule. */
    private List<RuleResponse> responses(List<Stored<RuleDefinition>> stored) {
        Map<String, IssuerType> types = issuers.types();
        LocalDate since = since(null);
        Map<String, RuleUsage.Summary> used = usage.summaries(since);
        return stored.stream()
                .map(rule -> response(
                                rule,
                                linter.lint(
                                        rule.definition(),
                                        types.get(rule.definition().issuer())))
                        .withUsage(used.getOrDefault(rule.definition().name(), RuleUsage.Summary.unused(since))))
                .toList();
    }

    private List<LintWarning> warnings(RuleDefinition rule) {
        return linter.lint(rule, issuers.typeOf(rule.issuer()).orElse(null));
    }

    private static ResponseEntity<RuleResponse> withETag(RuleResponse rule) {
        return ResponseEntity.ok().eTag(ETags.of(rule.version())).body(rule);
    }
}
