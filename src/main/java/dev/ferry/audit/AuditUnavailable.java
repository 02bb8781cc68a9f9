package dev.ferry.audit;

/**
 * The audit log's queue stayed full: the database is not keeping up or is down. The exchange is
 * answered {@code temporarily_unavailable} rather than served unrecorded.
 */
public final class AuditUnavailable extends RuntimeException {

    private final long backlog;

    AuditUnavailable(long backlog) {
        super("audit log full", null, false, false);
        this.backlog = backlog;
    }

    public long backlog() {
        return backlog;
    }
}
