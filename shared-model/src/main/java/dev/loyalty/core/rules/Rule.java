package dev.loyalty.core.rules;

import java.util.List;
import java.util.Objects;

/**
 * One rule: on {@code event}, award {@code points} of {@code pointType}, or with
 * {@code perAmount} {@code floor(amount * points / perAmount)}; {@code when} (nullable) must hold.
 * {@code pendingDays} (null: none) keeps the award's lot pending until the end of that day after
 * the event's occurredAt in the program's time zone (the return window).
 */
public record Rule(String id, String event, String pointType, long points, Long perAmount, Condition when,
                   List<Cap> caps, Integer pendingDays) {

    public static final int PENDING_DAYS_MIN = 1;
    public static final int PENDING_DAYS_MAX = 3650;

    /** A rule without a return window. */
    public Rule(String id, String event, String pointType, long points, Long perAmount, Condition when, List<Cap> caps) {
        this(id, event, pointType, points, perAmount, when, caps, null);
    }

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(pointType, "pointType");
        caps = caps == null ? List.of() : List.copyOf(caps);
        if (pendingDays != null && (pendingDays < PENDING_DAYS_MIN || pendingDays > PENDING_DAYS_MAX)) {
            throw new IllegalArgumentException("pendingDays must be in " + PENDING_DAYS_MIN + ".." + PENDING_DAYS_MAX);
        }
    }

    /**
     * The end of the return window of an award for an event at {@code occurredAt}: the start of
     * the local day after the day {@code pendingDays} after it, computed on local dates (as
     * expiry is), or null when the rule has none.
     */
    public java.time.Instant pendingUntil(java.time.Instant occurredAt, java.time.ZoneId zone) {
        return windowEnd(pendingDays, occurredAt, zone);
    }

    /** The one definition of a return window's end; null {@code pendingDays} means none. */
    public static java.time.Instant windowEnd(Integer pendingDays, java.time.Instant occurredAt, java.time.ZoneId zone) {
        if (pendingDays == null) {
            return null;
        }
        return java.time.LocalDate.ofInstant(occurredAt, zone).plusDays(pendingDays + 1L).atStartOfDay(zone).toInstant();
    }
}
