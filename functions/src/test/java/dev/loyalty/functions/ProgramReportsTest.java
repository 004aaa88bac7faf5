package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.functions.reports.DailyIssuedCheck;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The program reports through the reports Lambda's handler on real PostgreSQL, with worked
 * numbers. Program time zone UTC, no replica configured (readFrom "primary"). Reports count
 * every member, so each test writes in a year of its own (the clock pinned there) that no other
 * test touches.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Reports.class)
class ProgramReportsTest extends SpendingSupport {
    @Inject
    SpendService spend;
    @Inject
    DailyIssuedCheck dailyIssued;

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    static JsonNode report(String path, Map<String, String> query) {
        return report(path, query, "points:admin");
    }

    static JsonNode report(String path, Map<String, String> query, String scope) {
        ObjectNode e = ApiEvents.history("ops", query);
        String route = path.startsWith("/reports/experiments/") ? "GET /reports/experiments/{experimentId}" : "GET " + path;
        ApiEvents.path(e, "GET", path, route, path.startsWith("/reports/experiments/")
                ? Map.of("experimentId", path.substring("/reports/experiments/".length())) : Map.of());
        ApiEvents.as(e, "ops", scope);
        return Lambda.invoke(e);
    }

    static Map<String, String> window(String from, String to) {
        return Map.of("from", from, "to", to);
    }

    void earnAt(String member, long points, String type, Instant at) {
        TestClock.pin(at);
        seed(member, points, type, at);
    }

    void redeemAt(String member, long points, Instant at) {
        TestClock.pin(at);
        assertInstanceOf(SpendResult.Done.class, spend.redeem(new MemberId(member), new RedeemCommand(points, "r-" + at, null)));
    }

    @Test
    void aFunnelOfTenMembersFourOfWhomRedeemedIsFourTenths() {
        Instant t0 = Instant.parse("2061-03-01T10:00:00Z");
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String m = newMember();
            members.add(m);
            earnAt(m, 100, "PURCHASE", t0.plus(Duration.ofMinutes(i)));
        }
        // Four redeem, 1, 2, 3 and 5 days after their first earn: the median is 2.5 days.
        int[] days = {1, 2, 3, 5};
        for (int i = 0; i < 4; i++) {
            redeemAt(members.get(i), 10, t0.plus(Duration.ofMinutes(i)).plus(Duration.ofDays(days[i])));
        }
        // One of them redeems twice: still one member, and the first redeem sets the days.
        redeemAt(members.get(0), 5, t0.plus(Duration.ofDays(4)));
        // A member who earned before the window and redeems in it is not in the funnel.
        String old = newMember();
        earnAt(old, 100, "PURCHASE", t0.minus(Duration.ofDays(20)));
        redeemAt(old, 10, t0.plus(Duration.ofDays(1)));
        TestClock.release();

        JsonNode f = body(report("/reports/funnel", window("2061-03-01T00:00:00Z", "2061-03-10T00:00:00Z")));
        assertEquals(10, f.get("earnedMembers").asLong());
        assertEquals(4, f.get("redeemedMembers").asLong());
        assertEquals(4, f.at("/conversion/numerator").asLong());
        assertEquals(10, f.at("/conversion/denominator").asLong());
        assertDecimal("40.00", f.get("conversionPct"));
        assertDecimal("2.50", f.get("medianDaysToFirstRedeem"));
        assertEquals("primary", f.get("readFrom").asText());

        // The window's end is exclusive: ending at the first earn leaves nobody; a window ending
        // before the redeems has the 10 earners and no redeemer.
        JsonNode empty = body(report("/reports/funnel", window("2061-03-01T00:00:00Z", "2061-03-01T10:00:00Z")));
        assertEquals(0, empty.get("earnedMembers").asLong());
        assertTrue(empty.get("medianDaysToFirstRedeem").isNull());
        assertTrue(empty.get("conversionPct").isNull());
        JsonNode early = body(report("/reports/funnel", window("2061-03-01T00:00:00Z", "2061-03-02T00:00:00Z")));
        assertEquals(10, early.get("earnedMembers").asLong());
        assertEquals(0, early.get("redeemedMembers").asLong());
    }

    /** Seven days of 1,000 issued points each, then {@code last} on the eighth. */
    void week(Instant firstDay, long last) {
        for (int d = 0; d < 7; d++) {
            earnAt(newMember(), 1000, "PURCHASE", firstDay.plus(Duration.ofDays(d)));
        }
        String m = newMember();
        earnAt(m, last - 500, "PURCHASE", firstDay.plus(Duration.ofDays(7)));
        earnAt(m, 500, "BONUS", firstDay.plus(Duration.ofDays(7)).plus(Duration.ofHours(6)));
        TestClock.release();
    }

    @Test
    void aDaySixPercentOverTheWeeksMeanIsFlaggedFourPercentIsNot() {
        week(Instant.parse("2062-04-01T12:00:00Z"), 1040);
        week(Instant.parse("2062-05-01T12:00:00Z"), 1060);

        JsonNode four = body(report("/reports/anomalies", window("2062-04-01T00:00:00Z", "2062-04-09T00:00:00Z")));
        assertEquals(List.of(), Lambda.JSON.convertValue(four.get("items"), List.class), "1040 is 4% over 1000: not flagged");
        assertEquals(1, four.get("daysJudged").asInt(), "April 1 to 7 have no full week before them; April 8 does");
        assertEquals(5, four.get("thresholdPct").asInt());

        JsonNode sixAnswer = report("/reports/anomalies", window("2062-05-08T00:00:00Z", "2062-05-09T00:00:00Z"));
        JsonNode six = body(sixAnswer);
        assertEquals(1, six.get("items").size());
        JsonNode item = six.get("items").get(0);
        assertEquals("2062-05-08", item.get("day").asText());
        assertEquals(1060, item.get("issued").asLong());
        assertDecimal("1000.00", item.get("trailingMean"));
        assertDecimal("6.00", item.get("deviationPct"));
        String wire = sixAnswer.get("body").asText();
        assertTrue(wire.contains("\"trailingMean\":1000.00") && wire.contains("\"deviationPct\":6.00"), "two decimals on the wire: " + wire);
        assertEquals("primary", six.get("readFrom").asText());

        // The day after a week ends with nothing issued is a 100% drop, judged and flagged.
        JsonNode drop = body(report("/reports/anomalies", window("2062-05-09T00:00:00Z", "2062-05-10T00:00:00Z")));
        assertDecimal("-100.00", drop.at("/items/0/deviationPct"));

        // The alarm's metric for yesterday, as the hourly reconcile writes it.
        TestClock.pin(Instant.parse("2062-05-09T00:30:00Z"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        dailyIssued.emitYesterday(new PrintStream(out, true, StandardCharsets.UTF_8), "reconcile");
        JsonNode emf = readJson(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals(1060, emf.get("DailyIssuedPoints").asLong());
        assertEquals(1, emf.get("DailyIssuedAnomaly").asLong());
        assertEquals("reconcile", emf.get("Function").asText());
        TestClock.pin(Instant.parse("2062-04-09T00:30:00Z"));
        out.reset();
        dailyIssued.emitYesterday(new PrintStream(out, true, StandardCharsets.UTF_8), "reconcile");
        assertEquals(0, readJson(out.toString(StandardCharsets.UTF_8).trim()).get("DailyIssuedAnomaly").asLong());
    }

    /** Numerically equal (the tests' parser reads decimals as doubles; the wire format is checked apart). */
    static void assertDecimal(String expected, JsonNode actual) {
        assertTrue(actual != null && actual.isNumber(), "a number: " + actual);
        assertEquals(0, new java.math.BigDecimal(expected).compareTo(actual.decimalValue()), expected + " vs " + actual);
    }

    static JsonNode readJson(String s) {
        try {
            return Lambda.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void windowsOverFourHundredDaysAndBadInputAreRefusedAtTheirField() {
        Instant from = Instant.parse("2063-01-01T00:00:00Z");
        for (String path : List.of("/reports/activity", "/reports/funnel", "/reports/redemption-by-type",
                "/reports/experiments/exp-1", "/reports/anomalies")) {
            JsonNode ok = report(path, window(from.toString(), from.plus(Duration.ofDays(400)).toString()));
            assertEquals(200, ok.get("statusCode").asInt(), path + " over exactly 400 days");
            JsonNode over = report(path, window(from.toString(), from.plus(Duration.ofDays(400)).plusSeconds(1).toString()));
            assertEquals(400, over.get("statusCode").asInt(), path);
            assertEquals("VALIDATION_FAILED", body(over).get("code").asText());
            assertEquals("to", body(over).at("/errors/0/field").asText());
            assertTrue(ApiEvents.headers(over).get("content-type").startsWith("application/problem+json"));
            assertEquals("from", body(report(path, Map.of("to", from.toString()))).at("/errors/0/field").asText(), path);
            assertEquals("to", body(report(path, window(from.toString(), from.toString()))).at("/errors/0/field").asText(),
                    path + ": an empty window");
            assertEquals("to", body(report(path, window(from.toString(), "tomorrow"))).at("/errors/0/field").asText());
            assertEquals(403, report(path, window(from.toString(), from.plusSeconds(60).toString()), "points:earn")
                    .get("statusCode").asInt(), path + " is for admins");
        }
        Map<String, String> weekly = new java.util.HashMap<>(window(from.toString(), from.plusSeconds(60).toString()));
        weekly.put("bucket", "FORTNIGHT");
        assertEquals("bucket", body(report("/reports/activity", weekly)).at("/errors/0/field").asText());
        assertEquals("experimentId", body(report("/reports/experiments/" + "x".repeat(65),
                window(from.toString(), from.plusSeconds(60).toString()))).at("/errors/0/field").asText());
        // A 400-day window of DAY buckets lists every day, empty ones too.
        JsonNode year = body(report("/reports/activity", window(from.toString(), from.plus(Duration.ofDays(400)).toString())));
        assertEquals(400, year.get("buckets").size());
        assertEquals("2063-01-01", year.at("/buckets/0/start").asText());
        assertEquals(0, year.at("/buckets/0/issued").asLong());
    }
}
