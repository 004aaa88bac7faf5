package dev.loyalty.core.tiers;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * The tier decision, a pure function of (tier set, the member's tier record, qualifying points
 * per day, now, zone).
 * <ul>
 *   <li>Upgrade at once when qualifying points reach a higher tier's threshold (at the write
 *   that adds them; the write's own award was computed with the old tier).</li>
 *   <li>When qualifying points fall below the tier's threshold (a reversal or return, or old
 *   earns leaving the window at the start of a day), the member keeps the tier for
 *   {@code graceDays}, then drops to the tier its qualifying points give at that instant: a
 *   drop recorded with reason RETURN when a return or a reversal took the points below,
 *   GRACE_ENDED when the window (or a new tier set version) did.</li>
 *   <li>A read rolls the stored record forward to now, so it shows the right tier before the
 *   review job has recorded a downgrade.</li>
 * </ul>
 */
public final class TierDecision {
    private TierDecision() {
    }

    /** The member's tier now, and the changes since the record was last evaluated, oldest first. */
    public record Outcome(TierRecord record, List<TierChange> changes, long qualifyingPoints, TierLevel tier,
                          Instant downgradeAt, TierLevel next) {
        /** Points still needed for the next tier, or null at the top. */
        public Long pointsNeeded() {
            return next == null ? null : Math.max(0, next.threshold() - qualifyingPoints);
        }
    }

    /** For a read (or the review): the record rolled forward to now. */
    public static Outcome asOf(TierSet set, TierRecord record, NavigableMap<LocalDate, Long> days, Instant now, ZoneId zone) {
        List<TierChange> changes = new ArrayList<>();
        TierRecord rolled = rollForward(set, record, days, now, zone, changes);
        return settle(set, rolled, days, now, zone, TierChangeReason.CONFIG_CHANGED, TierChangeReason.GRACE_ENDED, changes);
    }

    /**
     * For a write that changes qualifying points: the record rolled forward with the days as
     * they were before the write ({@code before}, what decided the write's multiplier), then
     * settled with the days after it ({@code after}): an upgrade is QUALIFIED, a drop (a
     * take-back: only returns and reversals lower qualifying points at a write) starts the grace
     * now, to end with reason RETURN.
     */
    public static Outcome afterWrite(TierSet set, TierRecord record, NavigableMap<LocalDate, Long> before,
                                     NavigableMap<LocalDate, Long> after, Instant now, ZoneId zone) {
        List<TierChange> changes = new ArrayList<>();
        TierRecord rolled = rollForward(set, record, before, now, zone, changes);
        return settle(set, rolled, after, now, zone, TierChangeReason.QUALIFIED, TierChangeReason.RETURN, changes);
    }

    /**
     * A write that changes the member's qualifying days, in full: the record (null: none yet, the
     * lowest tier since {@code firstSeen}) brought up to now with the days before the write (a
     * new tier set version's upgrade is CONFIG_CHANGED, a grace that ended is GRACE_ENDED), whose
     * tier is the one the write's own awards earn with ({@code before}); then settled with the
     * days after it (an upgrade is QUALIFIED, a drop starts the grace now).
     */
    public record Written(TierLevel before, Outcome after, List<TierChange> changes, Instant reviewAt) {
    }

    public static Written onWrite(TierSet set, TierRecord record, Instant firstSeen, java.util.Collection<QualifyingDay> rows,
                                  java.util.Collection<QualifyingDay> changes, Instant now, ZoneId zone) {
        TierRecord start = record != null ? record : TierRecord.initial(set, firstSeen == null ? now : firstSeen);
        NavigableMap<LocalDate, Long> before = QualifyingPoints.fromRows(set, rows);
        NavigableMap<LocalDate, Long> after = QualifyingPoints.fromRows(set, QualifyingPoints.apply(rows, changes));
        Outcome read = asOf(set, start, before, now, zone);
        Outcome written = afterWrite(set, read.record(), before, after, now, zone);
        List<TierChange> all = new ArrayList<>(read.changes());
        all.addAll(written.changes());
        return new Written(read.tier(), written, List.copyOf(all), reviewAt(set, written.record(), after, zone));
    }

    /** For a read or the review of a member with stored rows: {@link #asOf} with the record (or the initial one). */
    public static Outcome read(TierSet set, TierRecord record, Instant firstSeen, java.util.Collection<QualifyingDay> rows,
                               Instant now, ZoneId zone) {
        TierRecord start = record != null ? record : TierRecord.initial(set, firstSeen == null ? now : firstSeen);
        return asOf(set, start, QualifyingPoints.fromRows(set, rows), now, zone);
    }

    /**
     * The earliest instant the record can change with no write: its grace's end, or else the
     * start of the first day on which qualifying points fall below its tier's threshold as old
     * earns leave the window; null when nothing but a write (or a new tier set) can change it.
     */
    public static Instant reviewAt(TierSet set, TierRecord record, NavigableMap<LocalDate, Long> days, ZoneId zone) {
        if (record.belowSince() != null) {
            return downgradeAt(set, record.belowSince(), zone);
        }
        TierLevel cur = set.find(record.tier()).orElse(null);
        if (cur == null || cur.threshold() == 0) {
            return null;
        }
        LocalDate today = QualifyingPoints.day(record.evaluatedAt(), zone);
        LocalDate first = today.plusDays(1);
        // Within a year and a day every earn of today has left any window: the search is bounded.
        LocalDate last = today.plusDays(367);
        // The total on a day is the sum of the days from its window's start on: it falls only
        // when the start passes an earn day, so walk the earn days instead of the calendar.
        NavigableMap<LocalDate, Long> held = days.tailMap(set.window().start(first), true);
        long sum = 0;
        for (long v : held.values()) {
            sum += v;
        }
        if (sum < cur.threshold()) {
            return first.atStartOfDay(zone).toInstant();
        }
        for (var e : held.entrySet()) {
            sum -= e.getValue();
            if (sum < cur.threshold()) {
                LocalDate d = set.window().firstDayStartingAfter(e.getKey());
                return d.isAfter(last) ? null : d.atStartOfDay(zone).toInstant();
            }
        }
        return null;
    }

    /**
     * Whether the record, last evaluated under {@code evaluatedUnder} with {@code bound} qualifying
     * points, is certainly left as it is by {@code set} at {@code now}, without its qualifying
     * days: no grace runs, nothing is due by {@code now} ({@code reviewAt}, the stored review
     * instant, is null or later), and {@code bound} is below {@link TierSet#settledBelow} (the two
     * sets count points alike and put the record's tier at the same threshold; the bound is the
     * threshold of the tier above it under {@code set}). Then {@link #asOf} changes nothing and
     * {@link #reviewAt} under {@code set} is {@code reviewAt}: with no write since the evaluation
     * (every write that changes the days evaluates again) the days only leave the window, so the
     * points now are at most {@code bound}, below the next tier's threshold (no upgrade), and not
     * yet below the tier's own (no grace: that starts at {@code reviewAt}, computed with the same
     * threshold and the same days). The tier-review leaves such rows unread under a new tier set
     * version (its due filter also asks that the row was not evaluated in flight across the
     * version's start, and that it has stored points: rows written before V24 have none); the
     * common new version (a multiplier, or one tier's threshold changed) settles most members.
     */
    public static boolean settled(TierSet set, TierSet evaluatedUnder, TierRecord record, Instant reviewAt, long bound,
                                  Instant now) {
        return record.belowSince() == null && (reviewAt == null || reviewAt.isAfter(now))
                && bound < set.settledBelow(evaluatedUnder, record.tier());
    }

    public static Instant downgradeAt(TierSet set, Instant belowSince, ZoneId zone) {
        return belowSince.atZone(zone).plusDays(set.graceDays()).toInstant();
    }

    static TierRecord rollForward(TierSet set, TierRecord record, NavigableMap<LocalDate, Long> days, Instant now,
                                  ZoneId zone, List<TierChange> changes) {
        if (set.rank(record.tier()) < 0) {
            TierLevel to = set.tierFor(QualifyingPoints.at(set, days, now, zone));
            changes.add(new TierChange(record.tier(), to.name(), now, TierChangeReason.CONFIG_CHANGED));
            return new TierRecord(to.name(), now, null, null, now);
        }
        if (!record.evaluatedAt().isBefore(now)) {
            return record;
        }
        TierRecord rec = record;
        Instant t = record.evaluatedAt();
        LocalDate today = QualifyingPoints.day(now, zone);
        while (true) {
            TierLevel cur = set.find(rec.tier()).orElseThrow();
            if (rec.belowSince() != null) {
                Instant due = downgradeAt(set, rec.belowSince(), zone);
                if (due.isAfter(now)) {
                    break;
                }
                TierLevel to = set.tierFor(QualifyingPoints.at(set, days, due, zone));
                if (set.rank(to.name()) >= set.rank(cur.name())) {
                    rec = new TierRecord(rec.tier(), rec.since(), null, null, due); // cannot happen: points only fall between evaluations
                } else {
                    changes.add(new TierChange(cur.name(), to.name(), due, rec.belowReason()));
                    rec = new TierRecord(to.name(), due, null, null, due);
                }
                t = due;
                continue;
            }
            if (cur.threshold() == 0) {
                break;
            }
            Instant found = null;
            for (LocalDate d = QualifyingPoints.day(t, zone).plusDays(1); !d.isAfter(today); d = d.plusDays(1)) {
                if (QualifyingPoints.on(set, days, d) < cur.threshold()) {
                    found = d.atStartOfDay(zone).toInstant();
                    break;
                }
            }
            if (found == null) {
                break;
            }
            rec = new TierRecord(rec.tier(), rec.since(), found, TierChangeReason.GRACE_ENDED, found);
            t = found;
        }
        return rec.evaluated(now);
    }

    /**
     * The record at {@code now} with the days as they are now: an upgrade is recorded with
     * {@code upgradeReason}; points below the tier's threshold start a grace (unless one runs)
     * that will end with {@code dropReason}.
     */
    static Outcome settle(TierSet set, TierRecord record, NavigableMap<LocalDate, Long> days, Instant now, ZoneId zone,
                          TierChangeReason upgradeReason, TierChangeReason dropReason, List<TierChange> changes) {
        long qp = QualifyingPoints.at(set, days, now, zone);
        TierLevel cur = set.find(record.tier()).orElseThrow();
        TierLevel target = set.tierFor(qp);
        TierRecord rec;
        if (set.rank(target.name()) > set.rank(cur.name())) {
            changes.add(new TierChange(cur.name(), target.name(), now, upgradeReason));
            rec = new TierRecord(target.name(), now, null, null, now);
        } else if (qp >= cur.threshold()) {
            rec = new TierRecord(cur.name(), record.since(), null, null, now);
        } else {
            rec = record.belowSince() == null
                    ? new TierRecord(cur.name(), record.since(), now, dropReason, now)
                    : new TierRecord(cur.name(), record.since(), record.belowSince(), record.belowReason(), now);
            if (!downgradeAt(set, rec.belowSince(), zone).isAfter(now)) {
                changes.add(new TierChange(cur.name(), target.name(), now, rec.belowReason()));
                rec = new TierRecord(target.name(), now, null, null, now);
            }
        }
        TierLevel tier = set.find(rec.tier()).orElseThrow();
        Instant downgradeAt = rec.belowSince() == null ? null : downgradeAt(set, rec.belowSince(), zone);
        return new Outcome(rec, List.copyOf(changes), qp, tier, downgradeAt, set.next(tier.name()).orElse(null));
    }
}
