package dev.ferry.core;

import java.util.List;

/**
 * A write to an operator definition that cannot be carried out. The admin API turns each kind into
 * an RFC 9457 problem with its own {@code type}; nothing stored has changed when one is thrown.
 */
public abstract sealed class DefinitionException extends RuntimeException {

    private DefinitionException(String message) {
        super(message);
    }

    /** A field of the submitted definition is invalid: HTTP 400, naming the field. */
    public static final class Invalid extends DefinitionException {
        private final String field;

        public Invalid(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /**
     * The definition is valid, but the linter finds what {@code ferry.lint.refuse} refuses and the
     * definition does not acknowledge it: HTTP 400, with every finding and the codes that refuse it.
     */
    public static final class Refused extends DefinitionException {
        private final String field;
        private final List<?> warnings;
        private final List<String> refused;

        public Refused(String field, String message, List<?> warnings, List<String> refused) {
            super(message);
            this.field = field;
            this.warnings = List.copyOf(warnings);
            this.refused = List.copyOf(refused);
        }

        /** The codes that refuse the definition. */
        public List<String> refused() {
            return refused;
        }

        /** The definition at fault, such as {@code rules[3]} in an import; null for a single rule. */
        public String field() {
            return field;
        }

        /** Every finding of the linter on the definition, refused or not. */
        public List<?> warnings() {
            return warnings;
        }
    }

    /** No definition of that kind has that name: HTTP 404. */
    public static final class NotFound extends DefinitionException {
        public NotFound(String kind, String name) {
            super(kind + " '" + name + "' does not exist");
        }
    }

    /** The stored definition is no longer the version the writer read ({@code If-Match}): HTTP 412. */
    public static final class PreconditionFailed extends DefinitionException {
        public PreconditionFailed(String kind, String name, long expected, long actual) {
            super(kind + " '" + name + "' is at version " + actual + ", not " + expected
                    + "; read it again and reapply your change");
        }
    }

    /** The write conflicts with what is stored (a duplicate name, dependants): HTTP 409. */
    public static final class Conflict extends DefinitionException {
        public Conflict(String message) {
            super(message);
        }
    }
}
