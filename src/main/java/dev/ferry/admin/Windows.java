package dev.ferry.admin;

import dev.ferry.core.DefinitionException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Durations given as query parameters ({@code window=P30D}, {@code impactBudget=PT20S}): ISO 8601, positive, bounded. */
final class Windows {

    private Windows() {}

    /** {@code value} as a duration; {@code fallback} when absent; a 400 naming {@code field} when not one or above {@code max}. */
    static Duration parse(String field, String value, Duration fallback, Duration max, String maxName) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        Duration parsed;
        try {
            parsed = Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new DefinitionException.Invalid(
                    field, field + " must be an ISO 8601 duration such as P7D or PT20S, not '" + shown(value) + "'");
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new DefinitionException.Invalid(field, field + " must be a positive duration");
        }
        if (parsed.compareTo(max) > 0) {
            throw new DefinitionException.Invalid(
                    field, field + " " + value.strip() + " is longer than " + maxName + " (" + shown(max) + ")");
        }
        return parsed;
    }

    /** Whole days as {@code P90D}, as operators write them, rather than {@code PT2160H}. */
    private static String shown(Duration duration) {
        return duration.toSeconds() % 86_400 == 0 ? "P" + duration.toDays() + "D" : duration.toString();
    }

    private static String shown(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
