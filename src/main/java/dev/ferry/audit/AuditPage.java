package dev.ferry.audit;

import java.util.List;

/**
 * A page of audit events, newest first.
 *
 * @param next the cursor of the following page, or null on the last page
 */
public record AuditPage(List<AuditEntry> events, String next) {}
