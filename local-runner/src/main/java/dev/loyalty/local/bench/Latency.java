package dev.loyalty.local.bench;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/** Latency histograms in microseconds (1 µs to 5 min, 3 significant digits) and their percentiles in ms. */
final class Latency {
    static final long HIGHEST_MICROS = 300_000_000L;

    private Latency() {
    }

    static Histogram histogram() {
        return new Histogram(1, HIGHEST_MICROS, 3);
    }

    static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.min(HIGHEST_MICROS, nanos / 1000)));
    }

    /** {@code percentile} as in HdrHistogram (99.9 for p99.9), in milliseconds. */
    static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** "p50 1.23 ms, p99 4.56 ms, p99.9 7.89 ms (n=1000)". */
    static String summary(Histogram h) {
        return String.format(Locale.ROOT, "p50 %s, p99 %s, p99.9 %s (n=%d)", fmt(ms(h, 50)), fmt(ms(h, 99)),
                fmt(ms(h, 99.9)), h.getTotalCount());
    }

    static String fmt(double ms) {
        return String.format(Locale.ROOT, ms >= 100 ? "%.0f ms" : ms >= 10 ? "%.1f ms" : "%.2f ms", ms);
    }
}
