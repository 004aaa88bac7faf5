package dev.loyalty.core.tiers;

import java.time.LocalDate;

/**
 * Which earns qualify, by the day of their {@code occurredAt} in the program's time zone. The
 * window is whole days so that per-day sums give exact qualifying points.
 */
public enum QualifyingWindow {
    /** The twelve months up to and including today: from the day after the same date a year ago. */
    ROLLING_12_MONTHS,
    /** The calendar year of today, in the program's time zone. */
    CALENDAR_YEAR;

    /** The first day (inclusive) of the window on {@code today}. */
    public LocalDate start(LocalDate today) {
        return switch (this) {
            case ROLLING_12_MONTHS -> today.minusYears(1).plusDays(1);
            case CALENDAR_YEAR -> today.withDayOfYear(1);
        };
    }

    /** The first day whose window no longer holds {@code day} (its start is after it). */
    public LocalDate firstDayStartingAfter(LocalDate day) {
        LocalDate d = switch (this) {
            case ROLLING_12_MONTHS -> day.plusYears(1);
            case CALENDAR_YEAR -> LocalDate.of(day.getYear() + 1, 1, 1);
        };
        // The start is monotone in the day: settle the guess exactly (leap days).
        while (!start(d).isAfter(day)) {
            d = d.plusDays(1);
        }
        while (start(d.minusDays(1)).isAfter(day)) {
            d = d.minusDays(1);
        }
        return d;
    }
}
