package dev.loyalty.core.tiers;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TierDecision#settledAtLowest}: what the tier-review leaves unread under a new tier set
 * version. Random histories, evaluated under one set, then decided under another that counts
 * qualifying points alike, any time later with no write in between: whenever the stored record
 * and points say "settled", the full decision leaves the record as it is and nothing is due.
 */
class SettledAtLowestTest {
    static TierSet set(QualifyingWindow w, long silver, long gold) {
        return new TierSet(w, Set.of("PURCHASE", "BONUS"), List.of(new TierLevel("MEMBER", 0, 10_000),
                new TierLevel("SILVER", silver, 12_500), new TierLevel("GOLD", gold, 15_000)), 30);
    }

    @Test
    void aSettledRecordIsLeftAsItIsByTheFullDecision() {
        Random random = new Random(11);
        List<ZoneId> zones = List.of(ZoneId.of("UTC"), ZoneId.of("Pacific/Kiritimati"), ZoneId.of("Pacific/Pago_Pago"));
        int settled = 0;
        int notSettled = 0;
        for (int run = 0; run < 3_000; run++) {
            QualifyingWindow w = QualifyingWindow.values()[random.nextInt(QualifyingWindow.values().length)];
            ZoneId zone = zones.get(random.nextInt(zones.size()));
            long oldSilver = 1 + random.nextInt(3_000);
            TierSet old = set(w, oldSilver, oldSilver + 1 + random.nextInt(5_000));
            long newSilver = 1 + random.nextInt(3_000);
            TierSet next = set(w, newSilver, newSilver + 1 + random.nextInt(5_000));
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            List<QualifyingEarn> earns = new ArrayList<>();
            for (int i = random.nextInt(12); i > 0; i--) {
                earns.add(new QualifyingEarn(start.plusSeconds(random.nextLong(500L * 86_400)),
                        random.nextBoolean() ? "PURCHASE" : "BONUS", 1 + random.nextInt(1_500), 0));
            }
            NavigableMap<LocalDate, Long> days = QualifyingPoints.byDay(old, earns, zone);
            // Evaluated at e under the old set (the last write), then nothing written until now.
            Instant e = start.plusSeconds(random.nextLong(520L * 86_400));
            TierRecord record = TierDecision.afterWrite(old, TierRecord.initial(old, start), new java.util.TreeMap<>(),
                    days, e, zone).record();
            Instant reviewAt = TierDecision.reviewAt(old, record, days, zone);
            long bound = QualifyingPoints.at(old, days, e, zone);
            Instant now = e.plusSeconds(random.nextLong(400L * 86_400));
            if (!TierDecision.settledAtLowest(next, record, reviewAt, bound)) {
                notSettled++;
                continue;
            }
            settled++;
            TierDecision.Outcome o = TierDecision.asOf(next, record, days, now, zone);
            assertEquals(List.of(), o.changes(), "run " + run);
            assertEquals(record.tier(), o.record().tier(), "run " + run);
            assertEquals(record.since(), o.record().since(), "run " + run);
            assertNull(o.record().belowSince(), "run " + run);
            assertTrue(o.qualifyingPoints() <= bound, "run " + run);
            assertNull(TierDecision.reviewAt(next, o.record(), days, zone), "run " + run);
        }
        // Not vacuous: both sides are met often.
        assertTrue(settled > 300, "settled " + settled);
        assertTrue(notSettled > 300, "not settled " + notSettled);
    }

    @Test
    void onlyTheLowestTierWithNothingDueAndPointsBelowTheFirstThresholdIsSettled() {
        TierSet set = set(QualifyingWindow.ROLLING_12_MONTHS, 500, 2_000);
        Instant t = Instant.parse("2026-03-01T00:00:00Z");
        TierRecord member = new TierRecord("MEMBER", t, null, t);
        assertTrue(TierDecision.settledAtLowest(set, member, null, 499));
        assertFalse(TierDecision.settledAtLowest(set, member, null, 500));
        assertFalse(TierDecision.settledAtLowest(set, member, t.plusSeconds(1), 10));
        assertFalse(TierDecision.settledAtLowest(set, new TierRecord("SILVER", t, null, t), null, 10));
        assertFalse(TierDecision.settledAtLowest(set, new TierRecord("BASIC", t, null, t), null, 10));
        assertTrue(TierDecision.settledAtLowest(TierSet.DEFAULT, member, null, Long.MAX_VALUE - 1));
        assertTrue(set.qualifiesAs(set(QualifyingWindow.ROLLING_12_MONTHS, 1, 2)));
        assertFalse(set.qualifiesAs(set(QualifyingWindow.CALENDAR_YEAR, 500, 2_000)));
        assertFalse(set.qualifiesAs(TierSet.DEFAULT));
    }
}
