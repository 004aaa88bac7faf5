package dev.loyalty.core.tiers;

import dev.loyalty.core.rules.MiniJson;

import dev.loyalty.core.rules.BusinessEvent;
import dev.loyalty.core.rules.CapUsage;
import dev.loyalty.core.rules.EvaluationOutcome;
import dev.loyalty.core.rules.RuleSet;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.core.rules.RulesEngine;
import dev.loyalty.core.rules.Tier;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract's worked examples for tiers, against the pure decision. */
class TierDecisionTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    static final Set<String> TYPES = Set.of("PURCHASE", "SIGN_IN", "PROMO", "BONUS");
    static final String CONTRACT = """
            {
              "qualifying": { "window": "ROLLING_12_MONTHS", "pointTypes": ["PURCHASE"] },
              "tiers": [ { "name": "MEMBER", "threshold": 0 },
                         { "name": "SILVER", "threshold": 1000, "earnMultiplierBp": 12500 },
                         { "name": "GOLD",   "threshold": 5000, "earnMultiplierBp": 15000 } ],
              "downgrade": { "graceDays": 30 }
            }""";

    static TierSet parse(String json) {
        return switch (TierSetParser.parse(MiniJson.parse(json), TYPES)) {
            case TierSetParser.Result.Parsed p -> p.tierSet();
            case TierSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
    }

    static List<TierSetError> errors(String json) {
        return switch (TierSetParser.parse(MiniJson.parse(json), TYPES)) {
            case TierSetParser.Result.Parsed p -> List.of();
            case TierSetParser.Result.Invalid i -> i.errors();
        };
    }

    static Instant at(String s) {
        return Instant.parse(s);
    }

    static NavigableMap<LocalDate, Long> days(Object... dayPoints) {
        NavigableMap<LocalDate, Long> m = new TreeMap<>();
        for (int i = 0; i < dayPoints.length; i += 2) {
            m.merge(LocalDate.parse((String) dayPoints[i]), ((Number) dayPoints[i + 1]).longValue(), Long::sum);
        }
        return m;
    }

    @Test
    void theContractsExampleParsesAndRoundTrips() {
        TierSet set = parse(CONTRACT);
        assertEquals(QualifyingWindow.ROLLING_12_MONTHS, set.window());
        assertEquals(List.of("MEMBER", "SILVER", "GOLD"), set.tiers().stream().map(TierLevel::name).toList());
        assertEquals(10_000, set.lowest().earnMultiplierBp());
        assertEquals(30, set.graceDays());
        assertEquals(set, switch (TierSetParser.parse(TierSetDocument.of(set), TYPES)) {
            case TierSetParser.Result.Parsed p -> p.tierSet();
            case TierSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        });
    }

    @Test
    void everyErrorIsListedWithItsPath() {
        List<TierSetError> errs = errors("""
                { "qualifying": { "window": "WEEKLY", "pointTypes": ["PURCHASE", "GEMS", "PURCHASE"], "x": 1 },
                  "tiers": [ { "name": "MEMBER", "threshold": 10 },
                             { "name": "silver", "threshold": 1000, "earnMultiplierBp": -1 },
                             { "name": "GOLD", "threshold": 1000 },
                             { "name": "GOLD", "threshold": 2000.5 } ],
                  "downgrade": { "graceDays": 0.5 }, "extra": true }""");
        assertEquals(List.of("extra", "qualifying.x", "qualifying.window", "qualifying.pointTypes[1]", "qualifying.pointTypes[2]",
                        "tiers[0].threshold", "tiers[1].name", "tiers[1].earnMultiplierBp", "tiers[2].threshold",
                        "tiers[3].name", "tiers[3].threshold", "downgrade.graceDays"),
                errs.stream().map(TierSetError::path).toList(), errs.toString());
        assertEquals(List.of("qualifying", "tiers"), errors("{}").stream().map(TierSetError::path).toList());
        assertEquals(List.of(""), errors("[]").stream().map(TierSetError::path).toList());
    }

    @Test
    void nineHundredNinetyNineThenOneIsSilverAtOnce() {
        TierSet set = parse(CONTRACT);
        Instant t0 = at("2026-03-01T10:00:00Z");
        TierRecord rec = TierRecord.initial(set, t0);
        TierDecision.Outcome first = TierDecision.afterWrite(set, rec, days(), days("2026-03-01", 999), t0, UTC);
        assertEquals("MEMBER", first.tier().name());
        assertEquals(999, first.qualifyingPoints());
        assertEquals("SILVER", first.next().name());
        assertEquals(1L, first.pointsNeeded());
        assertTrue(first.changes().isEmpty());

        Instant t1 = at("2026-03-02T09:00:00Z");
        TierDecision.Outcome second = TierDecision.afterWrite(set, first.record(), days("2026-03-01", 999),
                days("2026-03-01", 999, "2026-03-02", 1), t1, UTC);
        assertEquals("SILVER", second.tier().name());
        assertEquals(List.of(new TierChange("MEMBER", "SILVER", t1, TierChangeReason.QUALIFIED)), second.changes());
        assertEquals(t1, second.record().since());
        assertEquals("GOLD", second.next().name());
        assertEquals(4000L, second.pointsNeeded());
        assertNull(second.downgradeAt());
        // a read afterwards: the same tier, no change
        TierDecision.Outcome read = TierDecision.asOf(set, second.record(), days("2026-03-01", 999, "2026-03-02", 1), t1.plusSeconds(60), UTC);
        assertEquals("SILVER", read.tier().name());
        assertTrue(read.changes().isEmpty());
    }

    @Test
    void theCrossingAwardUsesTheOldMultiplierAndTheNextOneTheNew() {
        TierSet tiers = parse(CONTRACT);
        RuleSet rules = switch (RuleSetParser.parse(MiniJson.parse("""
                {"rules":[{"id":"buy","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100}]}"""),
                TYPES, Set.of("MEMBER", "SILVER", "GOLD"))) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            case RuleSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
        Instant t = at("2026-05-01T12:00:00Z");
        NavigableMap<LocalDate, Long> d = days("2026-04-01", 950);
        TierRecord rec = TierDecision.asOf(tiers, TierRecord.initial(tiers, at("2026-04-01T00:00:00Z")), d, t, UTC).record();
        long[] awards = new long[2];
        for (int i = 0; i < 2; i++) {
            Instant now = t.plusSeconds(i * 60L);
            TierDecision.Outcome before = TierDecision.asOf(tiers, rec, d, now, UTC);
            Tier tier = before.tier().asRuleTier();
            long points = switch (RulesEngine.evaluate(rules, 1, tier, CapUsage.none(),
                    new BusinessEvent("m-1", "purchase", "r-" + i, now, 10_000L, "EUR", Map.of(), null), now, UTC)) {
                case EvaluationOutcome.Evaluated ev -> ev.evaluation().points();
                case EvaluationOutcome.Refused r -> throw new AssertionError(r.refusal().message());
            };
            awards[i] = points;
            NavigableMap<LocalDate, Long> after = new TreeMap<>(d);
            after.merge(QualifyingPoints.day(now, UTC), points, Long::sum);
            rec = TierDecision.afterWrite(tiers, rec, d, after, now, UTC).record();
            d = after;
        }
        assertEquals(100, awards[0], "the crossing award: MEMBER's 1x");
        assertEquals(125, awards[1], "the next: SILVER's 1.25x");
        assertEquals("SILVER", rec.tier());
    }

    @Test
    void aReversalBelowGoldKeepsGoldForTheGraceDaysThenSilver() {
        TierSet set = parse(CONTRACT);
        Instant earned = at("2026-02-01T08:00:00Z");
        NavigableMap<LocalDate, Long> d = days("2026-02-01", 5200);
        TierDecision.Outcome gold = TierDecision.afterWrite(set, TierRecord.initial(set, earned), days(), d, earned, UTC);
        assertEquals("GOLD", gold.tier().name());
        Instant reversed = at("2026-03-10T15:30:00Z");
        NavigableMap<LocalDate, Long> after = days("2026-02-01", 4200);
        TierDecision.Outcome kept = TierDecision.afterWrite(set, gold.record(), d, after, reversed, UTC);
        assertEquals("GOLD", kept.tier().name());
        assertTrue(kept.changes().isEmpty());
        Instant due = at("2026-04-09T15:30:00Z");
        assertEquals(due, kept.downgradeAt());

        TierDecision.Outcome dayBefore = TierDecision.asOf(set, kept.record(), after, due.minusSeconds(1), UTC);
        assertEquals("GOLD", dayBefore.tier().name());
        assertEquals(due, dayBefore.downgradeAt());
        TierDecision.Outcome down = TierDecision.asOf(set, kept.record(), after, due, UTC);
        assertEquals("SILVER", down.tier().name());
        assertEquals(List.of(new TierChange("GOLD", "SILVER", due, TierChangeReason.RETURN)), down.changes());
        assertEquals(due, down.record().since());
        assertNull(down.downgradeAt());
        // the review recording it, then a read: no second change
        assertTrue(TierDecision.asOf(set, down.record(), after, due.plusSeconds(3600), UTC).changes().isEmpty());

        // earning back within the grace ends it
        NavigableMap<LocalDate, Long> back = days("2026-02-01", 4200, "2026-03-20", 800);
        TierDecision.Outcome recovered = TierDecision.afterWrite(set, kept.record(), after, back, at("2026-03-20T10:00:00Z"), UTC);
        assertEquals("GOLD", recovered.tier().name());
        assertNull(recovered.downgradeAt());
        assertEquals("GOLD", TierDecision.asOf(set, recovered.record(), back, due.plusSeconds(86_400), UTC).tier().name());
    }

    @Test
    void theRollingWindowMovesPastOldEarns() {
        TierSet set = parse(CONTRACT);
        Instant earned = at("2026-01-10T12:00:00Z");
        NavigableMap<LocalDate, Long> d = days("2026-01-10", 1000, "2026-06-01", 300);
        TierRecord rec = TierDecision.afterWrite(set, TierRecord.initial(set, earned), days(), days("2026-01-10", 1000), earned, UTC).record();
        rec = TierDecision.afterWrite(set, rec, days("2026-01-10", 1000), d, at("2026-06-01T12:00:00Z"), UTC).record();
        assertEquals("SILVER", rec.tier());

        TierDecision.Outcome lastDay = TierDecision.asOf(set, rec, d, at("2027-01-09T23:59:59Z"), UTC);
        assertEquals(1300, lastDay.qualifyingPoints());
        assertNull(lastDay.downgradeAt());
        Instant left = at("2027-01-10T00:00:00Z");
        TierDecision.Outcome grace = TierDecision.asOf(set, rec, d, left, UTC);
        assertEquals(300, grace.qualifyingPoints());
        assertEquals("SILVER", grace.tier().name());
        assertEquals(at("2027-02-09T00:00:00Z"), grace.downgradeAt());
        // a read long after, with no job run since June: the downgrade is there, at its instant
        TierDecision.Outcome later = TierDecision.asOf(set, rec, d, at("2027-03-01T00:00:00Z"), UTC);
        assertEquals("MEMBER", later.tier().name());
        assertEquals(List.of(new TierChange("SILVER", "MEMBER", at("2027-02-09T00:00:00Z"), TierChangeReason.GRACE_ENDED)),
                later.changes());
        assertEquals(300, later.qualifyingPoints());
        assertEquals(700L, later.pointsNeeded());
    }

    static final String CALENDAR = """
            { "qualifying": { "window": "CALENDAR_YEAR", "pointTypes": ["PURCHASE", "BONUS"] },
              "tiers": [ { "name": "MEMBER", "threshold": 0 }, { "name": "SILVER", "threshold": 1000, "earnMultiplierBp": 12500 } ],
              "downgrade": { "graceDays": 0 } }""";

    @Test
    void aCalendarYearEndsAtMidnightInTheProgramsZoneUtcPlus14() {
        ZoneId kiritimati = ZoneId.of("Pacific/Kiritimati"); // UTC+14
        TierSet set = parse(CALENDAR);
        // 2026-12-31T09:59:59Z is 23:59:59 on Dec 31 there; 10:00Z is already 2027-01-01 00:00
        Instant lastSecond = at("2026-12-31T09:59:59Z");
        Instant newYear = at("2026-12-31T10:00:00Z");
        NavigableMap<LocalDate, Long> d = new TreeMap<>();
        d.put(QualifyingPoints.day(at("2026-06-01T00:00:00Z"), kiritimati), 1000L);
        TierRecord rec = TierDecision.afterWrite(set, TierRecord.initial(set, at("2026-06-01T00:00:00Z")), new TreeMap<>(), d,
                at("2026-06-01T00:00:00Z"), kiritimati).record();
        assertEquals("SILVER", rec.tier());
        assertEquals("SILVER", TierDecision.asOf(set, rec, d, lastSecond, kiritimati).tier().name());
        TierDecision.Outcome o = TierDecision.asOf(set, rec, d, newYear, kiritimati);
        assertEquals(0, o.qualifyingPoints());
        assertEquals("MEMBER", o.tier().name());
        assertEquals(List.of(new TierChange("SILVER", "MEMBER", newYear, TierChangeReason.GRACE_ENDED)), o.changes());
        // an earn at 10:00Z on Dec 31 counts for 2027 there
        assertEquals(LocalDate.parse("2027-01-01"), QualifyingPoints.day(newYear, kiritimati));
        assertEquals(50, QualifyingPoints.of(set, List.of(new QualifyingEarn(newYear, "BONUS", 50, 0),
                new QualifyingEarn(lastSecond, "PURCHASE", 70, 0)), newYear, kiritimati));
    }

    @Test
    void aCalendarYearEndsAtMidnightInTheProgramsZoneUtcMinus11() {
        ZoneId pagoPago = ZoneId.of("Pacific/Pago_Pago"); // UTC-11
        TierSet set = parse(CALENDAR);
        List<QualifyingEarn> earns = List.of(new QualifyingEarn(at("2027-01-01T10:30:00Z"), "PURCHASE", 1000, 0),
                new QualifyingEarn(at("2027-01-01T10:45:00Z"), "SIGN_IN", 500, 0));
        NavigableMap<LocalDate, Long> d = QualifyingPoints.byDay(set, earns, pagoPago);
        assertEquals(Map.of(LocalDate.parse("2026-12-31"), 1000L), d, "10:30Z on Jan 1 is still Dec 31 there; SIGN_IN does not qualify");
        TierRecord rec = TierDecision.afterWrite(set, TierRecord.initial(set, at("2027-01-01T10:30:00Z")), new TreeMap<>(), d,
                at("2027-01-01T10:30:00Z"), pagoPago).record();
        assertEquals("SILVER", rec.tier());
        Instant lastSecond = at("2027-01-01T10:59:59Z");
        Instant newYear = at("2027-01-01T11:00:00Z");
        assertEquals(1000, QualifyingPoints.of(set, earns, lastSecond, pagoPago));
        assertEquals("SILVER", TierDecision.asOf(set, rec, d, lastSecond, pagoPago).tier().name());
        assertEquals(0, QualifyingPoints.of(set, earns, newYear, pagoPago));
        TierDecision.Outcome o = TierDecision.asOf(set, rec, d, newYear, pagoPago);
        assertEquals("MEMBER", o.tier().name());
        assertEquals(newYear, o.changes().getFirst().at());
    }

    @Test
    void aTierTheNewVersionNoLongerHasMovesTheMemberOnItsNextRead() {
        TierSet set = parse(CONTRACT);
        TierRecord platinum = new TierRecord("PLATINUM", at("2026-01-01T00:00:00Z"), null, at("2026-01-01T00:00:00Z"));
        Instant now = at("2026-02-01T00:00:00Z");
        TierDecision.Outcome o = TierDecision.asOf(set, platinum, days("2026-01-01", 6000), now, UTC);
        assertEquals("GOLD", o.tier().name());
        assertEquals(List.of(new TierChange("PLATINUM", "GOLD", now, TierChangeReason.CONFIG_CHANGED)), o.changes());
        assertNull(o.next());
        assertNull(o.pointsNeeded());
        assertInstanceOf(TierLevel.class, o.tier());
    }
}
