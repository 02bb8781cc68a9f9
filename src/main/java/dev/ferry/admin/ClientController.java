package dev.ferry.admin;

import dev.ferry.token.IntrospectionClients;
import dev.ferry.token.IntrospectionClients.Client;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/v1/clients}: gateways allowed to call {@code /introspect}. The secret is in the creation answer only. */
@RestController
@RequestMapping("/admin/v1/clients")
class ClientController {

    /** @param id optional slug; generated when left out */
    record NewClient(String id, String description) {}

    private final IntrospectionClients clients;

    ClientController(IntrospectionClients clients) {
        this.clients = clients;
    }

    @GetMapping
    List<Client> list() {
        return clients.list();
    }

    @PostMapping
    ResponseEntity<Client> create(@RequestBody NewClient request) {
        Client created = clients.create(request.id(), request.description());
        return ResponseEntity.created(URI.create("/admin/v1/clients/" + created.id()))
                .header("Cache-Control", "no-store")
                .body(created);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        clients.delete(id);
        return ResponseEntity.noContent().build();
    }
}
