package dev.ferry.admin;

import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/v1/issuers}: the issuers whose tokens Ferry accepts. */
@RestController
@RequestMapping("/admin/v1/issuers")
class IssuerController {

    private final IssuerService issuers;

    IssuerController(IssuerService issuers) {
        this.issuers = issuers;
    }

    @GetMapping
    List<IssuerResponse> list() {
        return issuers.list().stream().map(IssuerResponse::of).toList();
    }

    @GetMapping("/{name}")
    IssuerResponse get(@PathVariable String name) {
        return IssuerResponse.of(issuers.get(name));
    }

    @PostMapping
    ResponseEntity<IssuerResponse> create(@RequestBody IssuerDefinition definition) {
        IssuerResponse created = IssuerResponse.of(issuers.create(definition));
        return ResponseEntity.created(URI.create("/admin/v1/issuers/" + created.name())).body(created);
    }

    @PutMapping("/{name}")
    IssuerResponse replace(@PathVariable String name, @RequestBody IssuerDefinition definition) {
        return IssuerResponse.of(issuers.replace(name, definition));
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        issuers.delete(name);
        return ResponseEntity.noContent().build();
    }
}
