package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static dev.loyalty.functions.ProgramReportsTest.assertDecimal;
import static dev.loyalty.functions.ProgramReportsTest.report;
import static dev.loyalty.functions.ProgramReportsTest.window;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Activity and redemption by type in the program time zone Europe/Berlin (UTC+1 in winter,
 * UTC+2 in summer), read from the configured replica (a second pool on the same PostgreSQL):
 * entries an hour apart in UTC fall on different days, weeks and months in Berlin.
 */
@QuarkusTest
@TestProfile(FunctionProfile.ReportsBerlinReplica.class)
class ZonedReportsTest extends SpendingSupport {
    @Inject
    SpendService spend;

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    @Test
    void bucketsAreDaysWeeksAndMonthsOfTheProgramsTimeZone() {
        String a = newMember();
        String b = newMember();
        // 2064-01-31 22:30Z is Jan 31 23:30 in Berlin (a Thursday); 23:30Z is Feb 1 00:30 (Friday).
        Instant lateJan = Instant.parse("2064-01-31T22:30:00Z");
        Instant earlyFeb = Instant.parse("2064-01-31T23:30:00Z");
        TestClock.pin(lateJan);
        seed(a, 100, "PURCHASE", lateJan);
        seed(a, 50, "BONUS", lateJan);
        TestClock.pin(earlyFeb);
        seed(b, 70, "PURCHASE", earlyFeb);
        // a spends 120: PURCHASE (expires first) 100, then BONUS 20; 20 reversed gives back the
        // lot spent last first: BONUS 20.
        var redeemed = (Receipts.Redeemed) ((SpendResult.Done) spend.redeem(new MemberId(a),
                new RedeemCommand(120, "zoned-1", null))).receipt();
        spend.reverse(new MemberId(a), new ReversalCommand(redeemed.transactionId(), 20L, "zoned-refund", null));
        TestClock.release();

        // Jan 31 and Feb 1 in Berlin: [Jan 31 00:00+01:00, Feb 2 00:00+01:00).
        JsonNode days = body(report("/reports/activity", window("2064-01-30T23:00:00Z", "2064-02-01T23:00:00Z")));
        assertEquals("replica", days.get("readFrom").asText());
        assertEquals("Europe/Berlin", days.get("timeZone").asText());
        assertEquals(2, days.get("buckets").size());
        JsonNode jan31 = days.get("buckets").get(0);
        assertEquals("2064-01-31", jan31.get("start").asText());
        assertEquals("2064-01-30T23:00:00Z", jan31.get("startsAt").asText());
        assertEquals(150, jan31.get("issued").asLong());
        assertEquals(0, jan31.get("redeemed").asLong());
        assertEquals(1, jan31.get("activeMembers").asLong());
        assertEquals(100, jan31.at("/byType/PURCHASE/issued").asLong());
        assertEquals(50, jan31.at("/byType/BONUS/issued").asLong());
        JsonNode feb1 = days.get("buckets").get(1);
        assertEquals("2064-02-01", feb1.get("start").asText());
        assertEquals(70, feb1.get("issued").asLong());
        assertEquals(120, feb1.get("redeemed").asLong());
        assertEquals(20, feb1.get("reversed").asLong());
        assertEquals(0, feb1.get("returned").asLong());
        assertEquals(0, feb1.get("adjusted").asLong());
        assertEquals(2, feb1.get("activeMembers").asLong(), "b earned, a redeemed and was refunded");
        assertEquals(100, feb1.at("/byType/PURCHASE/redeemed").asLong());
        assertEquals(20, feb1.at("/byType/BONUS/redeemed").asLong());
        assertEquals(70, feb1.at("/byType/PURCHASE/issued").asLong());

        // Months: January holds a's earns, February the rest (in UTC all of it is January).
        JsonNode months = body(report("/reports/activity", Map.of("from", "2063-12-31T23:00:00Z",
                "to", "2064-02-29T23:00:00Z", "bucket", "MONTH")));
        assertEquals(2, months.get("buckets").size());
        assertEquals("2064-01-01", months.at("/buckets/0/start").asText());
        assertEquals(150, months.at("/buckets/0/issued").asLong());
        assertEquals("2064-02-01", months.at("/buckets/1/start").asText());
        assertEquals(70, months.at("/buckets/1/issued").asLong());
        assertEquals(120, months.at("/buckets/1/redeemed").asLong());

        // ISO weeks: Monday Jan 28 holds both days.
        JsonNode weeks = body(report("/reports/activity", Map.of("from", "2064-01-30T23:00:00Z",
                "to", "2064-02-01T23:00:00Z", "bucket", "WEEK")));
        assertEquals(1, weeks.get("buckets").size());
        assertEquals("2064-01-28", weeks.at("/buckets/0/start").asText());
        assertEquals(220, weeks.at("/buckets/0/issued").asLong());

        // Redemption by type over both days: PURCHASE 100 of 170 redeemed; BONUS 20 redeemed and
        // 20 given back by the reversal: 0 of 50.
        JsonNode byType = body(report("/reports/redemption-by-type", window("2064-01-30T23:00:00Z", "2064-02-01T23:00:00Z")));
        assertEquals("replica", byType.get("readFrom").asText());
        assertEquals(2, byType.get("items").size());
        JsonNode bonus = byType.get("items").get(0);
        assertEquals("BONUS", bonus.get("pointType").asText());
        assertEquals(50, bonus.get("issued").asLong());
        assertEquals(0, bonus.get("redeemed").asLong());
        assertDecimal("0.00", bonus.get("sharePct"));
        JsonNode purchase = byType.get("items").get(1);
        assertEquals(170, purchase.get("issued").asLong());
        assertEquals(100, purchase.get("redeemed").asLong());
        assertEquals(100, purchase.at("/share/numerator").asLong());
        assertEquals(170, purchase.at("/share/denominator").asLong());
        assertDecimal("58.82", purchase.get("sharePct"));

        JsonNode liability = body(report("/reports/liability", Map.of()));
        assertEquals("replica", liability.get("readFrom").asText());

        // Summer time: 2064-07-01 00:30 in Berlin is 2064-06-30 22:30Z.
        String c = newMember();
        Instant summer = Instant.parse("2064-06-30T22:30:00Z");
        TestClock.pin(summer);
        seed(c, 30, "PURCHASE", summer);
        TestClock.release();
        JsonNode july = body(report("/reports/activity", window("2064-06-30T22:00:00Z", "2064-07-01T22:00:00Z")));
        assertEquals(1, july.get("buckets").size());
        assertEquals("2064-07-01", july.at("/buckets/0/start").asText());
        assertEquals(30, july.at("/buckets/0/issued").asLong());
    }
}
