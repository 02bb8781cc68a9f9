package dev.ferry.audit;

import java.time.Instant;

/**
 * One change to an operator definition, as the audit log keeps it.
 *
 * @param principal who made it: the admin token's subject, {@code bootstrap}, or {@code bootstrap-file}
 * @param action {@code create}, {@code replace} or {@code delete}
 * @param entityType {@code issuer} or {@code rule}
 * @param before the definition before the change (null on create)
 * @param after the definition after it (null on delete)
 */
public record AdminEvent(
        String id,
        Instant occurredAt,
        String principal,
        String action,
        String entityType,
        String entityName,
        Object before,
        Object after) {}
