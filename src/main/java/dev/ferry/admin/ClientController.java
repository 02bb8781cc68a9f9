package dev.ferry.admin;

import dev.ferry.audit.AdminEvent;
import dev.ferry.audit.AuditIds;
import dev.ferry.audit.AuditLog;
import dev.ferry.token.IntrospectionClients;
import dev.ferry.token.IntrospectionClients.Client;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
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
    private final AuditLog audit;
    private final Clock clock;

    ClientController(IntrospectionClients clients, AuditLog audit, Clock clock) {
        this.clients = clients;
        this.audit = audit;
        this.clock = clock;
    }

    @GetMapping
    List<Client> list() {
        return clients.list();
    }

    /** One client, as the list shows it: never its secret. */
    @GetMapping("/{id}")
    Client get(@PathVariable String id) {
        return clients.get(id);
    }

    @PostMapping
    ResponseEntity<Client> create(@RequestBody NewClient request, Authentication caller) {
        Client created = clients.create(request.id(), request.description());
        audit.recordAdmin(new AdminEvent(
                AuditIds.next(),
                clock.instant(),
                Principals.name(caller),
                "create",
                "client",
                created.id(),
                null,
                created.description() == null
                        ? Map.of("id", created.id())
                        : Map.of("id", created.id(), "description", created.description())));
        return ResponseEntity.created(URI.create("/admin/v1/clients/" + created.id()))
                .header("Cache-Control", "no-store")
                .body(created);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id, Authentication caller) {
        clients.delete(id);
        audit.recordAdmin(new AdminEvent(
                AuditIds.next(),
                clock.instant(),
                Principals.name(caller),
                "delete",
                "client",
                id,
                Map.of("id", id),
                null));
        return ResponseEntity.noContent().build();
    }
}
