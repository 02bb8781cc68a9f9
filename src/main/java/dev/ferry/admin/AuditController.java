package dev.ferry.admin;

import dev.ferry.audit.AuditEntry;
import dev.ferry.audit.AuditFilter;
import dev.ferry.audit.AuditPage;
import dev.ferry.audit.AuditQuery;
import dev.ferry.definition.DefinitionException;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/v1/audit}: what happened, newest first. Find a refused CI run by the
 * {@code exchange_id} it was given ({@code GET /admin/v1/audit/{id}}) or by filters.
 */
@RestController
@RequestMapping("/admin/v1/audit")
class AuditController {

    private final AuditQuery audit;

    AuditController(AuditQuery audit) {
        this.audit = audit;
    }

    @GetMapping
    AuditPage search(
            @RequestParam(required = false) String kind,
            @RequestParam(required = false) String outcome,
            @RequestParam(required = false) String issuer,
            @RequestParam(required = false) String subject,
            @RequestParam(required = false) String rule,
            @RequestParam(required = false) String target,
            @RequestParam(required = false) Instant since,
            @RequestParam(required = false) Instant until,
            @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "50") int limit) {
        if (kind != null && !List.of("exchange", "admin").contains(kind)) {
            throw new DefinitionException.Invalid("kind", "kind is exchange or admin");
        }
        if (outcome != null && !List.of("issued", "refused", "applied").contains(outcome)) {
            throw new DefinitionException.Invalid("outcome", "outcome is issued, refused or applied");
        }
        if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
            throw new DefinitionException.Invalid("limit", "limit must be between 1 and " + AuditQuery.MAX_LIMIT);
        }
        try {
            return audit.search(new AuditFilter(kind, outcome, issuer, subject, rule, target, since, until), cursor, limit);
        } catch (IllegalArgumentException e) {
            throw new DefinitionException.Invalid("cursor", e.getMessage());
        }
    }

    @GetMapping("/{id}")
    AuditEntry get(@PathVariable String id) {
        return audit.get(id).orElseThrow(() -> new DefinitionException.NotFound("audit event", id));
    }
}
