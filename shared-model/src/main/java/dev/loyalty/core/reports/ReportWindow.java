package dev.loyalty.core.reports;

import java.time.Duration;
import java.time.Instant;

/**
 * A report's time window {@code [from, to)}: {@code to} exclusive, at most {@link #MAX_DAYS} days,
 * so every report's scan is bounded by the index on the entries' time.
 */
public record ReportWindow(Instant from, Instant to) {
    public static final long MAX_DAYS = 400;

    /** A window, or why it is refused and the field to blame. */
    public sealed interface Check {
        record Valid(ReportWindow window) implements Check {
        }

        record Invalid(String field, String message) implements Check {
        }
    }

    public ReportWindow {
        Check.Invalid invalid = invalid(from, to);
        if (invalid != null) {
            throw new IllegalArgumentException(invalid.field() + ": " + invalid.message());
        }
    }

    /** Both required; {@code from} before {@code to}; at most 400 days apart. */
    public static Check check(Instant from, Instant to) {
        Check.Invalid invalid = invalid(from, to);
        return invalid != null ? invalid : new Check.Valid(new ReportWindow(from, to));
    }

    private static Check.Invalid invalid(Instant from, Instant to) {
        if (from == null) {
            return new Check.Invalid("from", "is required (an ISO-8601 instant)");
        }
        if (to == null) {
            return new Check.Invalid("to", "is required (an ISO-8601 instant, exclusive)");
        }
        if (!to.isAfter(from)) {
            return new Check.Invalid("to", "must be after from");
        }
        if (Duration.between(from, to).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
            return new Check.Invalid("to", "a report covers at most " + MAX_DAYS + " days");
        }
        return null;
    }
}
