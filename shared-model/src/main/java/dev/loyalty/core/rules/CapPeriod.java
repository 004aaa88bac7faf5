package dev.loyalty.core.rules;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/** A cap's calendar period in the program's time zone; WEEK is ISO (Monday first). */
public enum CapPeriod {
    DAY, WEEK, MONTH;

    /** The first day of the period that holds {@code at} in {@code zone}. */
    public LocalDate start(Instant at, ZoneId zone) {
        LocalDate day = at.atZone(zone).toLocalDate();
        return switch (this) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
    }
}
