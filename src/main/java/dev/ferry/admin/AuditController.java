package dev.ferry.admin;

import dev.ferry.audit.AuditEntry;
import dev.ferry.audit.AuditFilter;
import dev.ferry.audit.AuditPage;
import dev.ferry.audit.AuditQuery;
import dev.ferry.core.DefinitionException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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

    /** The query parameters of a search: any other is a typo, which must not silently widen the search. */
    private static final Set<String> PARAMETERS =
            Set.of("kind", "outcome", "issuer", "subject", "rule", "target", "since", "until", "cursor", "limit");

    /** The range {@code since} and {@code until} may name: what the database's timestamps hold. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

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
            @RequestParam(defaultValue = "50") int limit,
            HttpServletRequest request) {
        request.getParameterMap().keySet().stream()
                .filter(name -> !PARAMETERS.contains(name))
                .findFirst()
                .ifPresent(name -> {
                    throw new DefinitionException.Invalid(
                            name,
                            "'" + name + "' is not a filter; the filters are "
                                    + String.join(
                                            ", ", PARAMETERS.stream().sorted().toList()));
                });
        requireInRange("since", since);
        requireInRange("until", until);
        if (since != null && until != null && !since.isBefore(until)) {
            throw new DefinitionException.Invalid("until", "until must be after since");
        }
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
            return audit.search(
                    new AuditFilter(kind, outcome, issuer, subject, rule, target, since, until), cursor, limit);
        } catch (IllegalArgumentException e) {
            throw new DefinitionException.Invalid("cursor", e.getMessage());
        }
    }

    private static void requireInRange(String field, Instant at) {
        if (at != null && (at.isBefore(EARLIEST) || at.isAfter(LATEST))) {
            throw new DefinitionException.Invalid(field, field + " must be between " + EARLIEST + " and " + LATEST);
        }
    }

    @GetMapping("/{id}")
    AuditEntry get(@PathVariable String id) {
        return audit.get(id).orElseThrow(() -> new DefinitionException.NotFound("audit event", id));
    }
}
