package dev.loyalty.core.reports;

import dev.loyalty.core.reports.DailyIssuedAnomalies.Judgement;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The anomaly rule with worked numbers, and its exact arithmetic against a plain definition. */
class DailyIssuedAnomaliesTest {
    static final LocalDate D = LocalDate.of(2026, 3, 10);

    static Map<LocalDate, Long> week(long each) {
        Map<LocalDate, Long> m = new HashMap<>();
        for (int i = 1; i <= 7; i++) {
            m.put(D.minusDays(i), each);
        }
        return m;
    }

    @Test
    void sixPercentAboveTheWeeksMeanIsFlaggedFourIsNot() {
        Map<LocalDate, Long> days = week(1000);
        days.put(D, 1060L);
        Judgement six = DailyIssuedAnomalies.judgeDay(days, D, 5);
        var flagged = assertInstanceOf(Judgement.Flagged.class, six);
        assertEquals(7000, flagged.trailingSum());
        assertEquals(new BigDecimal("1000.00"), DailyIssuedAnomalies.trailingMean(7000));
        assertEquals(new BigDecimal("6.00"), DailyIssuedAnomalies.deviationPct(1060, 7000));

        days.put(D, 1040L);
        assertInstanceOf(Judgement.Normal.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
        days.put(D, 940L);
        assertInstanceOf(Judgement.Flagged.class, DailyIssuedAnomalies.judgeDay(days, D, 5), "a 6% drop too");
        assertEquals(new BigDecimal("-6.00"), DailyIssuedAnomalies.deviationPct(940, 7000));
    }

    @Test
    void exactlyAtTheThresholdIsNotFlaggedAndOnePointMoreIs() {
        Map<LocalDate, Long> days = week(1000);
        days.put(D, 1050L);
        assertInstanceOf(Judgement.Normal.class, DailyIssuedAnomalies.judgeDay(days, D, 5), "5% is not more than 5%");
        days.put(D, 1051L);
        assertInstanceOf(Judgement.Flagged.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
    }

    @Test
    void aMeanThatIsNotWholeIsComparedExactly() {
        // sum 7001, mean 1000.142857...; 5% of it is 50.0071...: 1050 is within (49.857 off), 1051 too
        // (50.857 off? no: 1051 - 1000.142857 = 50.857 > 50.007): flagged.
        Map<LocalDate, Long> days = week(1000);
        days.put(D.minusDays(1), 1001L);
        days.put(D, 1050L);
        assertInstanceOf(Judgement.Normal.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
        days.put(D, 1051L);
        assertInstanceOf(Judgement.Flagged.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
        assertEquals(new BigDecimal("1000.14"), DailyIssuedAnomalies.trailingMean(7001));
        assertEquals(new BigDecimal("5.08"), DailyIssuedAnomalies.deviationPct(1051, 7001));
    }

    @Test
    void aDayIsJudgedOnlyWhenEachOfTheSevenBeforeIssuedPoints() {
        Map<LocalDate, Long> days = week(1000);
        days.remove(D.minusDays(7));
        days.put(D, 5000L);
        assertInstanceOf(Judgement.Unjudged.class, DailyIssuedAnomalies.judgeDay(days, D, 5), "one empty day in the week");
        days.put(D.minusDays(7), 0L);
        assertInstanceOf(Judgement.Unjudged.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
        days.put(D.minusDays(7), 1L);
        assertInstanceOf(Judgement.Flagged.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
        // A day with nothing issued after a full week is judged (and is a 100% drop).
        days.put(D, 0L);
        assertInstanceOf(Judgement.Flagged.class, DailyIssuedAnomalies.judgeDay(days, D, 5));
    }

    @Test
    void judgeWalksEveryDayOfTheRange() {
        Map<LocalDate, Long> days = week(100);
        days.put(D, 100L);
        days.put(D.plusDays(1), 200L);
        List<Judgement> j = DailyIssuedAnomalies.judge(days, D.minusDays(1), D.plusDays(2), 5);
        assertEquals(4, j.size());
        assertInstanceOf(Judgement.Unjudged.class, j.get(0), "D-1 has D-8 empty");
        assertInstanceOf(Judgement.Normal.class, j.get(1));
        assertInstanceOf(Judgement.Flagged.class, j.get(2), "200 against a mean of 100");
        assertInstanceOf(Judgement.Flagged.class, j.get(3), "0 against a mean of 114.29");
        assertEquals(D.plusDays(2), j.get(3).day());
    }

    @Test
    void windowsAreBoundedTo400DaysAndToIsExclusive() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        assertInstanceOf(ReportWindow.Check.Valid.class, ReportWindow.check(from, from.plusSeconds(400L * 86400)));
        var over = assertInstanceOf(ReportWindow.Check.Invalid.class, ReportWindow.check(from, from.plusSeconds(400L * 86400 + 1)));
        assertEquals("to", over.field());
        assertEquals("to", ((ReportWindow.Check.Invalid) ReportWindow.check(from, from)).field());
        assertEquals("from", ((ReportWindow.Check.Invalid) ReportWindow.check(null, from)).field());
        assertEquals("to", ((ReportWindow.Check.Invalid) ReportWindow.check(from, null)).field());
    }

    /**
     * The exact rule means what it says: away from the boundary (where a double cannot tell), it
     * agrees with |issued - mean| / mean > t / 100 computed in doubles from the definition.
     */
    @Property
    void theFlagIsTheDefinitionAwayFromTheBoundary(@ForAll @LongRange(min = 1, max = 2_000_000_000_000L) long a,
                                                   @ForAll @LongRange(min = 1, max = 2_000_000_000_000L) long b,
                                                   @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long issued,
                                                   @ForAll @IntRange(min = 0, max = 200) int threshold) {
        Map<LocalDate, Long> days = new HashMap<>();
        long sum = 0;
        for (int i = 1; i <= 7; i++) {
            long v = i % 2 == 0 ? a : b;
            days.put(D.minusDays(i), v);
            sum += v;
        }
        days.put(D, issued);
        double mean = sum / 7.0;
        double ratioPct = Math.abs(issued - mean) / mean * 100;
        Judgement j = DailyIssuedAnomalies.judgeDay(days, D, threshold);
        assertTrue(j instanceof Judgement.Flagged || j instanceof Judgement.Normal, "every day before issued points");
        if (Math.abs(ratioPct - threshold) > 1e-6 * Math.max(1, threshold)) {
            assertEquals(ratioPct > threshold, j instanceof Judgement.Flagged, "ratio " + ratioPct + "% vs " + threshold);
        }
    }

    /** The rounded deviation never contradicts the flag by more than the rounding. */
    @Property
    void theReportedDeviationAgreesWithTheFlag(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long each,
                                               @ForAll @LongRange(min = 0, max = 3_000_000_000L) long issued,
                                               @ForAll @IntRange(min = 0, max = 100) int threshold) {
        Map<LocalDate, Long> days = week(each);
        days.put(D, issued);
        Judgement j = DailyIssuedAnomalies.judgeDay(days, D, threshold);
        BigDecimal dev = DailyIssuedAnomalies.deviationPct(issued, each * 7).abs();
        BigDecimal t = BigDecimal.valueOf(threshold);
        if (j instanceof Judgement.Flagged) {
            assertTrue(dev.compareTo(t) >= 0, "flagged: " + dev + " >= " + t);
        } else {
            assertTrue(dev.compareTo(t.add(new BigDecimal("0.01"))) <= 0, "normal: " + dev + " <= " + t);
        }
    }
}
