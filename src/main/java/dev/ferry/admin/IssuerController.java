package dev.ferry.admin;

import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerKeyState;
import dev.ferry.federation.IssuerService;
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

    IssuerController(IssuerService issuers, IssuerKeyState keyState, DefinitionWriter writer) {
        this.issuers = issuers;
        this.keyState = keyState;
        this.writer = writer;
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
            Authentication caller) {
        IssuerResponse replaced = IssuerResponse.of(writer.replaceIssuer(
                Principals.name(caller), name, definition, ETags.expectedVersion(ifMatch), dryRun));
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
