package dev.ferry.audit;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/**
 * Ids of audit events (and so the exchange ids callers see): UUID version 7 (RFC 9562 §5.7), a
 * millisecond timestamp followed by 74 random bits, which within one millisecond are incremented
 * (RFC 9562 §6.2, method 2) so that one replica's ids strictly increase. Unique like a random UUID,
 * but in time order, so each new row goes to the end of the primary-key index rather than to a
 * random page of it: on a table that takes every exchange, that keeps inserts cheap and the index
 * compact.
 */
public final class AuditIds {

    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private AuditIds() {}

    public static String next() {
        return GENERATOR.generate().toString();
    }
}
