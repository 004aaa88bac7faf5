package dev.loyalty.local.bench;

import java.util.Locale;

/**
 * One line of the results table. {@code ratio} is the figure over its same-run baseline (NaN
 * for a row that is itself a baseline or has no ratio); {@code targetRatio} is the target
 * expressed as a ratio when it is one (NaN otherwise), for the chart's target mark;
 * {@code target} is the target's text and {@code met} whether it was met (null: no target).
 */
record Row(String scenario, String figure, String baseline, double ratio, String ratioText, String target,
           Boolean met, double targetRatio, boolean failed) {

    static Row baseline(String scenario, String figure, String note) {
        return new Row(scenario, figure, note, Double.NaN, "1.00x (baseline)", null, null, Double.NaN, false);
    }

    static Row ratio(String scenario, String figure, String baseline, double ratio) {
        return new Row(scenario, figure, baseline, ratio, x(ratio), null, null, Double.NaN, false);
    }

    /** A row with no ratio: set-up facts (the data set) shown for context. */
    static Row info(String scenario, String figure, String note) {
        return new Row(scenario, figure, note, Double.NaN, "", null, null, Double.NaN, false);
    }

    static Row failed(String scenario, String why) {
        return new Row(scenario, "FAILED: " + why, "", Double.NaN, "", null, null, Double.NaN, true);
    }

    /** A target on the ratio itself: at least {@code min} (higher is better). */
    Row atLeast(double min) {
        return new Row(scenario, figure, baseline, ratio, ratioText, "≥ " + x(min), ratio >= min, min, failed);
    }

    /** A target on the ratio itself: at most {@code max} (lower is better). */
    Row atMost(double max) {
        return new Row(scenario, figure, baseline, ratio, ratioText, "≤ " + x(max), ratio <= max, max, failed);
    }

    /** A target on an absolute figure (start-up seconds, RSS, p99 ms), not on the ratio. */
    Row target(String text, boolean isMet) {
        return new Row(scenario, figure, baseline, ratio, ratioText, text, isMet, Double.NaN, failed);
    }

    String verdict() {
        return met == null ? "" : met ? "met" : "missed";
    }

    static String x(double ratio) {
        return Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, ratio >= 10 ? "%.0fx" : "%.2fx", ratio);
    }
}
