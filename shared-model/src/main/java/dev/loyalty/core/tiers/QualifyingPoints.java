package dev.loyalty.core.tiers;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Qualifying points: the points of the qualifying types earned whose {@code occurredAt} lies in
 * the window, less what reversals and returns took back of them (spending and expiry do not
 * lower them). Kept per member per day of {@code occurredAt} in the program's time zone, so the
 * total on any day is a bounded sum of at most a year of days.
 */
public final class QualifyingPoints {
    private QualifyingPoints() {
    }

    /** The day an earn counts on. */
    public static LocalDate day(Instant occurredAt, ZoneId zone) {
        return LocalDate.ofInstant(occurredAt, zone);
    }

    /** The per-day sums of the qualifying earns (net of what was taken back). */
    public static NavigableMap<LocalDate, Long> byDay(TierSet set, Collection<QualifyingEarn> earns, ZoneId zone) {
        NavigableMap<LocalDate, Long> days = new TreeMap<>();
        for (QualifyingEarn e : earns) {
            if (set.qualifies(e.pointType())) {
                days.merge(day(e.occurredAt(), zone), e.points() - e.takenBack(), Long::sum);
            }
        }
        return days;
    }

    /**
     * The qualifying points on {@code today}: every day from the window's start on (a day after
     * today holds only earns at most minutes in the future, which count at once).
     */
    public static long on(TierSet set, NavigableMap<LocalDate, Long> days, LocalDate today) {
        long sum = 0;
        for (long v : days.tailMap(set.window().start(today), true).values()) {
            sum += v;
        }
        return sum;
    }

    public static long at(TierSet set, NavigableMap<LocalDate, Long> days, Instant now, ZoneId zone) {
        return on(set, days, day(now, zone));
    }

    /** Straight from the earns (the reference for the per-day path). */
    public static long of(TierSet set, Collection<QualifyingEarn> earns, Instant now, ZoneId zone) {
        LocalDate start = set.window().start(day(now, zone));
        long sum = 0;
        for (QualifyingEarn e : earns) {
            if (set.qualifies(e.pointType()) && !day(e.occurredAt(), zone).isBefore(start)) {
                sum += e.points() - e.takenBack();
            }
        }
        return sum;
    }

    /** The per-day sums of the stored rows whose type qualifies under {@code set}. */
    public static NavigableMap<LocalDate, Long> fromRows(TierSet set, Collection<QualifyingDay> rows) {
        NavigableMap<LocalDate, Long> days = new TreeMap<>();
        for (QualifyingDay r : rows) {
            if (set.qualifies(r.pointType())) {
                days.merge(r.day(), r.points(), Math::addExact);
            }
        }
        return days;
    }

    /**
     * The rows after {@code changes}: an earn adds to its day and type; a take-back lowers the
     * original day, never below zero (it takes back only what was counted).
     */
    public static java.util.List<QualifyingDay> apply(Collection<QualifyingDay> rows, Collection<QualifyingDay> changes) {
        Map<LocalDate, Map<String, Long>> byDay = new TreeMap<>();
        for (QualifyingDay r : rows) {
            byDay.computeIfAbsent(r.day(), d -> new TreeMap<>()).merge(r.pointType(), r.points(), Math::addExact);
        }
        for (QualifyingDay c : changes) {
            Map<String, Long> types = byDay.computeIfAbsent(c.day(), d -> new TreeMap<>());
            long now = types.getOrDefault(c.pointType(), 0L);
            types.put(c.pointType(), Math.max(0, Math.addExact(now, c.points())));
        }
        java.util.List<QualifyingDay> out = new java.util.ArrayList<>();
        byDay.forEach((day, types) -> types.forEach((type, points) -> out.add(new QualifyingDay(day, type, points))));
        return out;
    }

    /**
     * A member's qualifying day rows rebuilt from its ledger, for the days from {@code from} on:
     * each EARN on its {@code occurredAt} day (program time zone) and type, less what the
     * REVERSAL and RETURN entries pointing at it took back (never below zero), one row per day
     * and type that any EARN fell on (net zero included, as the write path leaves it), ordered by
     * day and type. This is the definition the writes keep incrementally ({@link #apply}); the
     * rebuild restores it where they did not (earns recorded before qualifying days were kept).
     * {@code entries} must hold every take-back of the earns it holds.
     */
    public static java.util.List<QualifyingDay> rebuild(Collection<QualifyingSource> entries, ZoneId zone, LocalDate from) {
        Map<java.util.UUID, Long> takenBack = new java.util.HashMap<>();
        for (QualifyingSource e : entries) {
            if ((e.kind() == dev.loyalty.core.EntryKind.REVERSAL || e.kind() == dev.loyalty.core.EntryKind.RETURN)
                    && e.reverses() != null && e.points() < 0) {
                takenBack.merge(e.reverses(), Math.negateExact(e.points()), Math::addExact);
            }
        }
        Map<LocalDate, Map<String, Long>> byDay = new TreeMap<>();
        for (QualifyingSource e : entries) {
            if (e.kind() != dev.loyalty.core.EntryKind.EARN || e.pointType() == null) {
                continue;
            }
            LocalDate d = day(e.occurredAt(), zone);
            if (d.isBefore(from)) {
                continue;
            }
            long net = Math.max(0, e.points() - takenBack.getOrDefault(e.entryId(), 0L));
            byDay.computeIfAbsent(d, x -> new TreeMap<>()).merge(e.pointType(), net, Math::addExact);
        }
        java.util.List<QualifyingDay> out = new java.util.ArrayList<>();
        byDay.forEach((d, types) -> types.forEach((type, points) -> out.add(new QualifyingDay(d, type, points))));
        return out;
    }

    /**
     * The changes ({@link #apply}) that take the stored rows of the days from {@code from} on to
     * the rebuilt ones: per day and type the difference, signed; a stored row no earn accounts for
     * goes to zero. Empty when they agree.
     */
    public static java.util.List<QualifyingDay> corrections(Collection<QualifyingDay> stored,
                                                            Collection<QualifyingDay> rebuilt, LocalDate from) {
        Map<LocalDate, Map<String, Long>> diff = new TreeMap<>();
        for (QualifyingDay r : rebuilt) {
            diff.computeIfAbsent(r.day(), d -> new TreeMap<>()).merge(r.pointType(), r.points(), Math::addExact);
        }
        for (QualifyingDay s : stored) {
            if (!s.day().isBefore(from)) {
                diff.computeIfAbsent(s.day(), d -> new TreeMap<>()).merge(s.pointType(), Math.negateExact(s.points()),
                        Math::addExact);
            }
        }
        java.util.List<QualifyingDay> out = new java.util.ArrayList<>();
        diff.forEach((d, types) -> types.forEach((type, points) -> {
            if (points != 0) {
                out.add(new QualifyingDay(d, type, points));
            }
        }));
        return out;
    }

    /**
     * The earliest day any read or write on or after {@code evaluatedDay} needs (at most a year
     * before it): reads fetch the rows from here on, a bounded range of one member's days.
     */
    public static LocalDate firstDayToRead(LocalDate today, LocalDate evaluatedDay) {
        LocalDate from = evaluatedDay == null || evaluatedDay.isAfter(today) ? today : evaluatedDay;
        return from.minusDays(366);
    }

    /**
     * The oldest day whose rows every read on {@code today} fetches, however recent the record's
     * evaluation: a day before {@link #firstDayToRead}{@code (today, today)}.
     */
    public static LocalDate readFloor(LocalDate today) {
        return firstDayToRead(today, today).minusDays(1);
    }

    /**
     * The first day of the rows every read on {@code today} fetches for a record evaluated at
     * {@code evaluatedAt} (null: no record): the {@link #readFloor}, or the evaluation's UTC date
     * less 368 days when that is earlier (the UTC date covers any program time zone's).
     * {@code LedgerStore.tierStates} reads from this day in SQL; the tier-review's reads and the
     * qualifying rebuild ask it here.
     */
    public static LocalDate firstDayRead(LocalDate today, java.time.Instant evaluatedAt) {
        LocalDate floor = readFloor(today);
        if (evaluatedAt == null) {
            return floor;
        }
        LocalDate evaluated = day(evaluatedAt, java.time.ZoneOffset.UTC).minusDays(368);
        return evaluated.isBefore(floor) ? evaluated : floor;
    }

    /** The first day a read or write on {@code from} onwards needs. */
    public static LocalDate firstDayNeeded(TierSet set, LocalDate from) {
        return set.window().start(from);
    }

    public static NavigableMap<LocalDate, Long> copy(Map<LocalDate, Long> days) {
        return new TreeMap<>(days);
    }
}
