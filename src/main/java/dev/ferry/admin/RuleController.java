package dev.ferry.admin;

import dev.ferry.core.DefinitionException;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerService;
import dev.ferry.federation.IssuerType;
import dev.ferry.policy.LintWarning;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleGuardrails;
import dev.ferry.policy.RuleLinter;
import dev.ferry.policy.RuleService;
import java.net.URI;
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

    private final RuleService rules;
    private final IssuerService issuers;
    private final RuleLinter linter;
    private final RuleGuardrails guardrails;
    private final DefinitionWriter writer;

    RuleController(
            RuleService rules,
            IssuerService issuers,
            RuleLinter linter,
            RuleGuardrails guardrails,
            DefinitionWriter writer) {
        this.rules = rules;
        this.issuers = issuers;
        this.linter = linter;
        this.guardrails = guardrails;
        this.writer = writer;
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

    @GetMapping("/{name}/lint")
    List<LintWarning> lint(@PathVariable String name) {
        return warnings(rules.get(name).definition());
    }

    /** Creates a rule; {@code ?dryRun=true} validates and lints it as a real write would and answers 200 with what would be stored. */
    @PostMapping
    ResponseEntity<RuleResponse> create(
            @RequestBody RuleDefinition definition,
            @RequestParam(defaultValue = "false") boolean dryRun,
            Authentication caller) {
        RuleResponse created = response(writer.createRule(Principals.name(caller), definition, dryRun));
        if (dryRun) {
            return ResponseEntity.ok(created);
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
            Authentication caller) {
        RuleResponse replaced = response(
                writer.replaceRule(Principals.name(caller), name, definition, ETags.expectedVersion(ifMatch), dryRun));
        return dryRun ? ResponseEntity.ok(replaced) : withETag(replaced);
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
        return stored.stream()
                .map(rule -> response(
                        rule,
                        linter.lint(
                                rule.definition(), types.get(rule.definition().issuer()))))
                .toList();
    }

    private List<LintWarning> warnings(RuleDefinition rule) {
        return linter.lint(rule, issuers.typeOf(rule.issuer()).orElse(null));
    }

    private static ResponseEntity<RuleResponse> withETag(RuleResponse rule) {
        return ResponseEntity.ok().eTag(ETags.of(rule.version())).body(rule);
    }
}
