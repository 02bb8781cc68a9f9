package dev.ferry.audit;

/**
 * The audit log cannot take or store an exchange's event in time: the database is not keeping up or
 * is down. The exchange is answered {@code temporarily_unavailable} rather than served unrecorded.
 */
public final class AuditUnavailable extends RuntimeException {

    private final long backlog;

    AuditUnavailable(String reason, long backlog) {
        super(reason, null, false, false);
        this.backlog = backlog;
    }

    public long backlog() {
        return backlog;
    }
}
