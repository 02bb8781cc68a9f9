package dev.ferry.admin;

import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerService;
import dev.ferry.policy.LintWarning;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleLinter;
import dev.ferry.policy.RuleService;
import java.net.URI;
import java.util.List;
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
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/v1/rules}: the trust rules that decide exchanges, each shown with its linter warnings. */
@RestController
@RequestMapping("/admin/v1/rules")
class RuleController {

    private final RuleService rules;
    private final IssuerService issuers;
    private final RuleLinter linter;
    private final DefinitionWriter writer;

    RuleController(RuleService rules, IssuerService issuers, RuleLinter linter, DefinitionWriter writer) {
        this.rules = rules;
        this.issuers = issuers;
        this.linter = linter;
        this.writer = writer;
    }

    @GetMapping
    List<RuleResponse> list() {
        return rules.list().stream().map(this::response).toList();
    }

    @GetMapping("/{name}")
    ResponseEntity<RuleResponse> get(@PathVariable String name) {
        return withETag(response(rules.get(name)));
    }

    @GetMapping("/{name}/lint")
    List<LintWarning> lint(@PathVariable String name) {
        return warnings(rules.get(name).definition());
    }

    @PostMapping
    ResponseEntity<RuleResponse> create(@RequestBody RuleDefinition definition, Authentication caller) {
        RuleResponse created = response(writer.createRule(Principals.name(caller), definition));
        return ResponseEntity.created(
                        URI.create("/admin/v1/rules/" + created.definition().name()))
                .eTag(ETags.of(created.version()))
                .body(created);
    }

    @PutMapping("/{name}")
    ResponseEntity<RuleResponse> replace(
            @PathVariable String name,
            @RequestBody RuleDefinition definition,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            Authentication caller) {
        return withETag(response(
                writer.replaceRule(Principals.name(caller), name, definition, ETags.expectedVersion(ifMatch))));
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name, Authentication caller) {
        writer.deleteRule(Principals.name(caller), name);
        return ResponseEntity.noContent().build();
    }

    private RuleResponse response(Stored<RuleDefinition> stored) {
        return RuleResponse.of(stored, warnings(stored.definition()));
    }

    private List<LintWarning> warnings(RuleDefinition rule) {
        return linter.lint(rule, issuers.get(rule.issuer()).definition().type());
    }

    private static ResponseEntity<RuleResponse> withETag(RuleResponse rule) {
        return ResponseEntity.ok().eTag(ETags.of(rule.version())).body(rule);
    }
}
