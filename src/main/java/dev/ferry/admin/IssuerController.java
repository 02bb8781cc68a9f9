package dev.ferry.admin;

import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerKeyState;
import dev.ferry.federation.IssuerService;
import dev.ferry.impact.Proposal;
import dev.ferry.policy.RuleService;
import io.swagger.v3.oas.annotations.Parameter;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/v1/issuers}: the issuers whose tokens Ferry accepts. */
@RestController
@RequestMapping("/admin/v1/issuers")
class IssuerController {

    private final IssuerService issuers;
    private final IssuerKeyState keyState;
    private final DefinitionWriter writer;
    private final RuleService rules;
    private final ImpactRequests impact;

    IssuerController(
            IssuerService issuers,
            IssuerKeyState keyState,
            DefinitionWriter writer,
            RuleService rules,
            ImpactRequests impact) {
        this.issuers = issuers;
        this.keyState = keyState;
        this.writer = writer;
        this.rules = rules;
        this.impact = impact;
    }

    @GetMapping
    List<IssuerResponse> list() {
        return issuers.list().stream().map(IssuerResponse::of).toList();
    }

    @GetMapping("/{name}")
    ResponseEntity<IssuerResponse> get(@PathVariable String name) {
        return withETag(IssuerResponse.of(issuers.get(name)));
    }

    /** What Ferry knows of the issuer's keys: where they come from, the last fetch, the public keys. */
    @GetMapping("/{name}/keys")
    IssuerKeyState.KeySet keys(@PathVariable String name) {
        return keyState.of(name);
    }

    /** Creates an issuer; {@code ?dryRun=true} validates it as a real write would and answers 200 with what would be stored. */
    @PostMapping
    ResponseEntity<IssuerResponse> create(
            @RequestBody IssuerDefinition definition,
            @RequestParam(defaultValue = "false") boolean dryRun,
            Authentication caller) {
        IssuerResponse created = IssuerResponse.of(writer.createIssuer(Principals.name(caller), definition, dryRun));
        if (dryRun) {
            return ResponseEntity.ok(created);
        }
        return ResponseEntity.created(
                        URI.create("/admin/v1/issuers/" + created.definition().name()))
                .eTag(ETags.of(created.version()))
                .body(created);
    }

    /** Replaces an issuer (with {@code If-Match}: only that version); {@code ?dryRun=true} stores nothing. */
    @PutMapping("/{name}")
    ResponseEntity<IssuerResponse> replace(
            @PathVariable String name,
            @RequestBody IssuerDefinition definition,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            @RequestParam(defaultValue = "false") boolean dryRun,
            @Parameter(description = DefinitionSetController.IMPACT) @RequestParam(required = false) String impact,
            @Parameter(description = DefinitionSetController.IMPACT_BUDGET) @RequestParam(required = false)
                    String impactBudget,
            Authentication caller) {
        boolean withImpact = this.impact.asked(impact, impactBudget, dryRun);
        IssuerResponse replaced = IssuerResponse.of(writer.replaceIssuer(
                Principals.name(caller), name, definition, ETags.expectedVersion(ifMatch), dryRun));
        if (withImpact) {
            // An issuer's rules stay; what it changes for the decision is whether its tokens are taken.
            return ResponseEntity.ok(replaced.withImpact(this.impact.replay(
                    impact,
                    impactBudget,
                    () -> Proposal.withIssuer(
                            rules.list().stream().map(Stored::definition).toList(),
                            issuers.list().stream().map(Stored::definition).toList(),
                            replaced.definition()))));
        }
        return dryRun ? ResponseEntity.ok(replaced) : withETag(replaced);
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(
            @PathVariable String name, @RequestParam(defaultValue = "false") boolean cascade, Authentication caller) {
        writer.deleteIssuer(Principals.name(caller), name, cascade);
        return ResponseEntity.noContent().build();
    }

    private static ResponseEntity<IssuerResponse> withETag(IssuerResponse issuer) {
        return ResponseEntity.ok().eTag(ETags.of(issuer.version())).body(issuer);
    }
}
