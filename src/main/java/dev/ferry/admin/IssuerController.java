package dev.ferry.admin;

import dev.ferry.federation.IssuerDefinition;
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
    private final DefinitionWriter writer;

    IssuerController(IssuerService issuers, DefinitionWriter writer) {
        this.issuers = issuers;
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

    @PostMapping
    ResponseEntity<IssuerResponse> create(@RequestBody IssuerDefinition definition, Authentication caller) {
        IssuerResponse created = IssuerResponse.of(writer.createIssuer(Principals.name(caller), definition));
        return ResponseEntity.created(
                        URI.create("/admin/v1/issuers/" + created.definition().name()))
                .eTag(ETags.of(created.version()))
                .body(created);
    }

    @PutMapping("/{name}")
    ResponseEntity<IssuerResponse> replace(
            @PathVariable String name,
            @RequestBody IssuerDefinition definition,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            Authentication caller) {
        return withETag(IssuerResponse.of(
                writer.replaceIssuer(Principals.name(caller), name, definition, ETags.expectedVersion(ifMatch))));
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
