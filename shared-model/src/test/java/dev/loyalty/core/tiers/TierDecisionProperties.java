package dev.loyalty.core.tiers;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TierDecisionProperties {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Pacific/Kiritimati"), ZoneId.of("Pacific/Pago_Pago"),
            ZoneId.of("Europe/Berlin"));

    static TierSet set(QualifyingWindow w, int grace) {
        return new TierSet(w, Set.of("PURCHASE"), List.of(new TierLevel("MEMBER", 0, 10_000),
                new TierLevel("SILVER", 1000, 12_500), new TierLevel("GOLD", 5000, 15_000)), grace);
    }

    @Provide
    Arbitrary<List<QualifyingEarn>> earns() {
        Arbitrary<QualifyingEarn> e = Combinators.combine(
                Arbitraries.longs().between(0, 700L * 86_400),
                Arbitraries.of("PURCHASE", "BONUS"),
                Arbitraries.longs().between(1, 3000),
                Arbitraries.integers().between(0, 100)).as((s, type, p, pct) -> new QualifyingEarn(START.plusSeconds(s), type, p, p * pct / 100 / 2));
        return e.list().ofMaxSize(30);
    }

    /** The per-day sums give exactly what the earns give, on any day, in any zone. */
    @Property(tries = 300)
    void perDaySumsAreExact(@ForAll("earns") List<QualifyingEarn> earns, @ForAll QualifyingWindow w,
                            @ForAll("offsets") long offset, @ForAll("zones") ZoneId zone) {
        TierSet set = set(w, 30);
        Instant now = START.plusSeconds(offset);
        assertEquals(QualifyingPoints.of(set, earns, now, zone),
                QualifyingPoints.at(set, QualifyingPoints.byDay(set, earns, zone), now, zone));
    }

    /**
     * Reads show the right tier before the job has run: evaluating (the review, reads) at any
     * instants in between never changes the tier, the history or the downgrade instant reached at
     * the end.
     */
    @Property(tries = 300)
    void evaluatingInBetweenChangesNothing(@ForAll("earns") List<QualifyingEarn> earns, @ForAll QualifyingWindow w,
                                           @ForAll("graces") int grace, @ForAll("zones") ZoneId zone,
                                           @ForAll("steps") List<Long> steps) {
        TierSet set = set(w, grace);
        NavigableMap<LocalDate, Long> d = QualifyingPoints.byDay(set, earns, zone);
        Instant t0 = START.plusSeconds(700L * 86_400);
        TierRecord initial = TierDecision.afterWrite(set, TierRecord.initial(set, t0), new java.util.TreeMap<>(), d, t0, zone).record();
        Instant end = t0;
        for (long s : steps) {
            end = end.plusSeconds(s);
        }
        TierDecision.Outcome once = TierDecision.asOf(set, initial, d, end, zone);
        TierRecord rec = initial;
        List<TierChange> history = new ArrayList<>();
        Instant t = t0;
        for (long s : steps) {
            t = t.plusSeconds(s);
            TierDecision.Outcome o = TierDecision.asOf(set, rec, d, t, zone);
            history.addAll(o.changes());
            rec = o.record();
        }
        TierDecision.Outcome last = TierDecision.asOf(set, rec, d, end, zone);
        assertEquals(once.tier(), last.tier());
        assertEquals(once.downgradeAt(), last.downgradeAt());
        assertEquals(once.changes(), history);
        assertEquals(once.record(), last.record());
    }

    /**
     * The review's due instant walks the earn days; it is what walking the calendar day by day
     * gives: the start of the first day after the evaluation (within a year and a day) on which
     * qualifying points are below the tier's threshold.
     */
    @Property(tries = 500)
    void theReviewInstantIsTheFirstDayBelowTheThreshold(@ForAll("earns") List<QualifyingEarn> earns, @ForAll QualifyingWindow w,
                                                         @ForAll("offsets") long offset, @ForAll("zones") ZoneId zone,
                                                         @ForAll("tierNames") String tier) {
        TierSet set = set(w, 30);
        NavigableMap<LocalDate, Long> d = QualifyingPoints.byDay(set, earns, zone);
        Instant at = START.plusSeconds(offset);
        TierRecord record = new TierRecord(tier, START, null, at);
        LocalDate today = QualifyingPoints.day(at, zone);
        long threshold = set.find(tier).orElseThrow().threshold();
        Instant expected = null;
        for (LocalDate day = today.plusDays(1); threshold > 0 && !day.isAfter(today.plusDays(367)); day = day.plusDays(1)) {
            if (QualifyingPoints.on(set, d, day) < threshold) {
                expected = day.atStartOfDay(zone).toInstant();
                break;
            }
        }
        assertEquals(expected, TierDecision.reviewAt(set, record, d, zone));
    }

    @Provide
    Arbitrary<String> tierNames() {
        return Arbitraries.of("MEMBER", "SILVER", "GOLD");
    }

    @Provide
    Arbitrary<Long> offsets() {
        return Arbitraries.longs().between(0, 800L * 86_400);
    }

    @Provide
    Arbitrary<Integer> graces() {
        return Arbitraries.integers().between(0, 60);
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(ZONES);
    }

    @Provide
    Arbitrary<List<Long>> steps() {
        return Arbitraries.longs().between(1, 90L * 86_400).list().ofMinSize(1).ofMaxSize(8);
    }
}
