package dev.loyalty.local.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure helpers of the benchmark: verdicts, the markdown table, the SVG chart, percentiles. No timing. */
class ReportTest {
    private static final List<Row> ROWS = List.of(
            Row.baseline("baseline: pgbench", "1000 tps", "latency"),
            Row.ratio("sweep <fast> & \"raw\"", "10 lots/s", "raw 20 lots/s", 0.5).atLeast(0.5),
            Row.ratio("reconcile | time", "3 s", "raw 1 s", 3).atMost(2),
            Row.ratio("balance p99", "p99 12 ms", "pgbench", 12).target("p99 ≤ 10 ms", false),
            Row.failed("redeem", "overdraw"));

    @Test
    void verdictsFollowTheTargets() {
        assertEquals("met", ROWS.get(1).verdict());
        assertEquals("missed", ROWS.get(2).verdict());
        assertEquals("missed", ROWS.get(3).verdict());
        assertEquals("", ROWS.get(0).verdict());
        assertTrue(ROWS.get(4).failed());
        assertEquals("0.50x", Row.x(0.5));
        assertEquals("12x", Row.x(12.4));
    }

    @Test
    void markdownHasOneLinePerRowAndEscapesPipes() {
        String md = Report.markdown("# t\n\n", ROWS);
        assertEquals(2 + ROWS.size(), md.lines().filter(l -> l.startsWith("|")).count());
        assertTrue(md.contains("reconcile \\| time"));
        assertTrue(md.contains("FAILED: overdraw"));
    }

    @Test
    void svgIsWellFormedWithOneBarPerRatio() throws Exception {
        String svg = Report.svg("title <x>", ROWS);
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        // one background rect plus one bar for each of the three rows with a ratio
        assertEquals(4, doc.getElementsByTagName("rect").getLength());
        assertTrue(svg.contains("sweep &lt;fast&gt; &amp; &quot;raw&quot;"));
    }

    @Test
    void logAxisIsMonotonicAndClamped() {
        assertTrue(Report.xOf(0.1) < Report.xOf(1) && Report.xOf(1) < Report.xOf(10));
        assertEquals(Report.xOf(1e-9), Report.xOf(Math.pow(10, Report.DECADE_MIN)));
        assertFalse(Double.isNaN(Report.xOf(1e9)));
    }

    @Test
    void percentilesAreInMilliseconds() {
        Histogram h = Latency.histogram();
        for (int i = 1; i <= 1000; i++) {
            Latency.record(h, i * 1_000_000L); // 1..1000 ms
        }
        assertEquals(500, Latency.ms(h, 50), 1);
        assertEquals(990, Latency.ms(h, 99), 1);
        assertEquals("p50 500 ms, p99 990 ms, p99.9 999 ms (n=1000)", Latency.summary(h));
    }
}
