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
 * {@link TierDecision#settled}: what the tier-review leaves unread under a new tier set version.
 * Random histories, evaluated under one set, then decided under another (often keeping some
 * thresholds, sometimes counting points differently), any time later with no write in between:
 * whenever the stored record, review instant and points say "settled", the full decision leaves
 * the record as it is and gives the same review instant.
 */
class SettledTest {
    static TierSet set(QualifyingWindow w, long silver, long gold) {
        return new TierSet(w, Set.of("PURCHASE", "BONUS"), List.of(new TierLevel("MEMBER", 0, 10_000),
                new TierLevel("SILVER", silver, 12_500), new TierLevel("GOLD", gold, 15_000)), 30);
    }

    @Test
    void aSettledRecordIsLeftAsItIsByTheFullDecision() {
        Random random = new Random(11);
        List<ZoneId> zones = List.of(ZoneId.of("UTC"), ZoneId.of("Pacific/Kiritimati"), ZoneId.of("Pacific/Pago_Pago"));
        int settledLowest = 0;
        int settledAbove = 0;
        int notSettled = 0;
        for (int run = 0; run < 6_000; run++) {
            QualifyingWindow w = QualifyingWindow.values()[random.nextInt(QualifyingWindow.values().length)];
            ZoneId zone = zones.get(random.nextInt(zones.size()));
            long oldSilver = 1 + random.nextInt(3_000);
            long oldGold = oldSilver + 1 + random.nextInt(5_000);
            TierSet old = set(w, oldSilver, oldGold);
            // The new version keeps each threshold half the time (a multiplier or one tier changed),
            // and one in ten counts over another window.
            long newSilver = random.nextBoolean() ? oldSilver : 1 + random.nextInt(3_000);
            long newGold = random.nextBoolean() && oldGold > newSilver ? oldGold : newSilver + 1 + random.nextInt(5_000);
            QualifyingWindow nw = random.nextInt(10) == 0 ? QualifyingWindow.values()[random.nextInt(2)] : w;
            TierSet next = set(nw, newSilver, newGold);
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            // Evaluated at e under the old set (the last write: the earns are before it), then
            // nothing written until now.
            Instant e = start.plusSeconds(random.nextLong(520L * 86_400));
            List<QualifyingEarn> earns = new ArrayList<>();
            for (int i = random.nextInt(12); i > 0; i--) {
                Instant at = start.plusSeconds(random.nextLong(500L * 86_400));
                earns.add(new QualifyingEarn(at.isAfter(e) ? e : at,
                        random.nextBoolean() ? "PURCHASE" : "BONUS", 1 + random.nextInt(1_500), 0));
            }
            NavigableMap<LocalDate, Long> days = QualifyingPoints.byDay(old, earns, zone);
            TierRecord record = TierDecision.afterWrite(old, TierRecord.initial(old, start), new java.util.TreeMap<>(),
                    days, e, zone).record();
            Instant reviewAt = TierDecision.reviewAt(old, record, days, zone);
            long bound = QualifyingPoints.at(old, days, e, zone);
            Instant now = e.plusSeconds(random.nextLong(400L * 86_400));
            if (!TierDecision.settled(next, old, record, reviewAt, bound, now)) {
                notSettled++;
                continue;
            }
            if (record.tier().equals("MEMBER")) {
                settledLowest++;
            } else {
                settledAbove++;
            }
            // Settled only under a set counting alike: the same window, so the same days.
            assertEquals(w, nw, "run " + run);
            TierDecision.Outcome o = TierDecision.asOf(next, record, days, now, zone);
            assertEquals(List.of(), o.changes(), "run " + run);
            assertEquals(record.tier(), o.record().tier(), "run " + run);
            assertEquals(record.since(), o.record().since(), "run " + run);
            assertNull(o.record().belowSince(), "run " + run);
            assertTrue(o.qualifyingPoints() <= bound, "run " + run);
            assertEquals(reviewAt, TierDecision.reviewAt(next, o.record(), days, zone), "run " + run);
        }
        // Not vacuous: each side is met often, at the lowest tier and above it.
        assertTrue(settledLowest > 300, "settled at the lowest tier " + settledLowest);
        assertTrue(settledAbove > 300, "settled above the lowest tier " + settledAbove);
        assertTrue(notSettled > 300, "not settled " + notSettled);
    }

    @Test
    void onlyARecordWithNoGraceNothingDueAndPointsBelowTheNextTierAtAnUnchangedThresholdIsSettled() {
        TierSet set = set(QualifyingWindow.ROLLING_12_MONTHS, 500, 2_000);
        Instant t = Instant.parse("2026-03-01T00:00:00Z");
        TierRecord member = new TierRecord("MEMBER", t, null, t);
        TierRecord silver = new TierRecord("SILVER", t, null, t);
        TierRecord gold = new TierRecord("GOLD", t, null, t);
        assertTrue(TierDecision.settled(set, set, member, null, 499, t));
        assertFalse(TierDecision.settled(set, set, member, null, 500, t));
        assertFalse(TierDecision.settled(set, set, member, t, 10, t), "due now");
        assertTrue(TierDecision.settled(set, set, member, t.plusSeconds(1), 10, t));
        assertFalse(TierDecision.settled(set, set, new TierRecord("BASIC", t, null, t), null, 10, t));
        assertTrue(TierDecision.settled(TierSet.DEFAULT, TierSet.DEFAULT, member, null, Long.MAX_VALUE - 1, t));

        // GOLD raised: SILVER below the new GOLD is settled, GOLD (its threshold changed) is not.
        TierSet goldRaised = set(QualifyingWindow.ROLLING_12_MONTHS, 500, 2_001);
        assertTrue(TierDecision.settled(goldRaised, set, silver, t.plusSeconds(86_400), 1_999, t));
        assertTrue(TierDecision.settled(goldRaised, set, silver, null, 2_000, t));
        assertFalse(TierDecision.settled(goldRaised, set, silver, null, 2_001, t));
        assertFalse(TierDecision.settled(goldRaised, set, gold, null, 2_500, t));
        assertFalse(TierDecision.settled(goldRaised, set, new TierRecord("SILVER", t, t, TierChangeReason.RETURN, t),
                t.plusSeconds(86_400), 600, t), "in grace");
        // At the top, an unchanged threshold: no bound above.
        assertTrue(TierDecision.settled(set(QualifyingWindow.ROLLING_12_MONTHS, 400, 2_000), set, gold, null, 1_000_000, t));

        assertEquals(500, set.settledBelow(set, "MEMBER"));
        assertEquals(2_001, goldRaised.settledBelow(set, "SILVER"));
        assertEquals(0, goldRaised.settledBelow(set, "GOLD"));
        assertEquals(Long.MAX_VALUE, set.settledBelow(set, "GOLD"), "the top tier, its threshold unchanged");
        assertEquals(0, set.settledBelow(set(QualifyingWindow.CALENDAR_YEAR, 500, 2_000), "MEMBER"), "another window");
        assertEquals(0, set.settledBelow(TierSet.DEFAULT, "MEMBER"), "other point types");
        assertEquals(0, TierSet.DEFAULT.settledBelow(set, "SILVER"), "a tier the set does not have");
        assertTrue(set.qualifiesAs(set(QualifyingWindow.ROLLING_12_MONTHS, 1, 2)));
    }
}
