package dev.loyalty.core.reports;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The daily issued-points alarm rule (contract Part 2, "Reports": anomalies). A day is judged
 * only when each of the {@link #TRAILING_DAYS} days before it issued points (a day with none, or
 * one before the data starts, leaves it unjudged: a mean over a gap says nothing). A judged day
 * is flagged when its issued points differ from the trailing mean by more than
 * {@code thresholdPct} percent of that mean:
 * {@code |7 * issued - sum7| * 100 > thresholdPct * sum7}, exact integers (BigInteger, so no
 * overflow whatever the sums), never a floating point comparison. Exactly at the threshold is
 * not flagged ("more than").
 */
public final class DailyIssuedAnomalies {
    public static final int TRAILING_DAYS = 7;
    /** Decimal places of the reported mean and deviation (half-even), applied after the decision. */
    public static final int SCALE = 2;

    private DailyIssuedAnomalies() {
    }

    /** One day's verdict. */
    public sealed interface Judgement {
        LocalDate day();

        long issued();

        /** Some day of the 7 before issued nothing (or is unknown): no verdict. */
        record Unjudged(LocalDate day, long issued) implements Judgement {
        }

        /** Within the threshold. */
        record Normal(LocalDate day, long issued, long trailingSum) implements Judgement {
        }

        /** More than the threshold away from the trailing mean. */
        record Flagged(LocalDate day, long issued, long trailingSum) implements Judgement {
        }
    }

    /**
     * Judges every day from {@code first} to {@code last} (inclusive), given the points issued
     * per day; days missing from {@code issuedByDay} issued nothing. The map must cover the 7 days
     * before {@code first} too, or those days count as empty.
     */
    public static List<Judgement> judge(Map<LocalDate, Long> issuedByDay, LocalDate first, LocalDate last, int thresholdPct) {
        if (thresholdPct < 0) {
            throw new IllegalArgumentException("thresholdPct must not be negative");
        }
        List<Judgement> out = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            out.add(judgeDay(issuedByDay, day, thresholdPct));
        }
        return out;
    }

    /** One day against the 7 before it. */
    public static Judgement judgeDay(Map<LocalDate, Long> issuedByDay, LocalDate day, int thresholdPct) {
        long issued = issuedByDay.getOrDefault(day, 0L);
        long sum = 0;
        for (int i = 1; i <= TRAILING_DAYS; i++) {
            long before = issuedByDay.getOrDefault(day.minusDays(i), 0L);
            if (before <= 0) {
                return new Judgement.Unjudged(day, issued);
            }
            sum = Math.addExact(sum, before);
        }
        return flagged(issued, sum, thresholdPct) ? new Judgement.Flagged(day, issued, sum)
                : new Judgement.Normal(day, issued, sum);
    }

    /** {@code |7 * issued - sum| * 100 > thresholdPct * sum}, exactly. {@code sum} is positive. */
    static boolean flagged(long issued, long trailingSum, int thresholdPct) {
        BigInteger deviation = BigInteger.valueOf(issued).multiply(BigInteger.valueOf(TRAILING_DAYS))
                .subtract(BigInteger.valueOf(trailingSum)).abs().multiply(BigInteger.valueOf(100));
        return deviation.compareTo(BigInteger.valueOf(thresholdPct).multiply(BigInteger.valueOf(trailingSum))) > 0;
    }

    /** The mean of the 7 days before, rounded half-even to 2 places (for the answer only). */
    public static BigDecimal trailingMean(long trailingSum) {
        return BigDecimal.valueOf(trailingSum).divide(BigDecimal.valueOf(TRAILING_DAYS), SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * {@code (issued - mean) / mean * 100} = {@code (7 * issued - sum) * 100 / sum}, signed (a drop
     * is negative), rounded half-even to 2 places (for the answer only; the flag is decided exactly).
     */
    public static BigDecimal deviationPct(long issued, long trailingSum) {
        BigDecimal numerator = new BigDecimal(BigInteger.valueOf(issued).multiply(BigInteger.valueOf(TRAILING_DAYS))
                .subtract(BigInteger.valueOf(trailingSum)).multiply(BigInteger.valueOf(100)));
        return numerator.divide(BigDecimal.valueOf(trailingSum), SCALE, RoundingMode.HALF_EVEN);
    }
}
