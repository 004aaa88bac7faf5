package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.schedule.ExpireSweep;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The liability report through the reports Lambda, as of now and as of a past instant. */
@QuarkusTest
@TestProfile(FunctionProfile.Reports.class)
class LiabilityReportTest extends SpendingSupport {
    @Inject
    SpendService spend;
    @Inject
    ExpireSweep sweep;

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    JsonNode report(Map<String, String> query, String scope) {
        ObjectNode e = ApiEvents.history("ops", query);
        ApiEvents.path(e, "GET", "/reports/liability", "GET /reports/liability", Map.of());
        ApiEvents.as(e, "ops", scope);
        return Lambda.invoke(e);
    }

    @Test
    void outstandingByTypeAndTotalsAreRightAsOfAnyInstant() {
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        TestClock.pin(t0);
        String m = newMember();
        seed(m, 100, "SIGN_IN", null);  // expires 2030-02-01
        seed(m, 300, "PURCHASE", null);
        TestClock.pin(t0.plus(1, ChronoUnit.DAYS));
        var redeemed = (Receipts.Redeemed) ((SpendResult.Done) spend.redeem(new MemberId(m),
                new RedeemCommand(150, "o-1", null))).receipt(); // SIGN_IN 100 + PURCHASE 50
        spend.reverse(new MemberId(m), new ReversalCommand(redeemed.transactionId(), 20L, "refund-1", null));
        Instant afterRedeem = t0.plus(2, ChronoUnit.DAYS);
        TestClock.pin(t0.plus(60, ChronoUnit.DAYS));
        sweep.run(1000, 60_000); // the 20 restored to the PURCHASE lot stay; SIGN_IN is spent, nothing expires
        TestClock.release();

        JsonNode before = body(report(Map.of("asOf", t0.plus(1, ChronoUnit.HOURS).toString(),
                "from", t0.minusSeconds(1).toString()), "points:admin"));
        assertEquals(400, before.get("outstanding").asLong());
        assertEquals(100, before.at("/outstandingByType/SIGN_IN").asLong());
        assertEquals(300, before.at("/outstandingByType/PURCHASE").asLong());
        assertEquals(400, before.get("issued").asLong());
        assertEquals(0, before.get("redeemed").asLong());

        JsonNode after = body(report(Map.of("asOf", afterRedeem.toString(), "from", t0.minusSeconds(1).toString()),
                "points:admin"));
        assertEquals(270, after.get("outstanding").asLong());
        assertEquals(130, after.get("redeemed").asLong(), "150 redeemed, 20 reversed");
        assertEquals(270, after.at("/outstandingByType/PURCHASE").asLong());
        assertEquals(0, after.get("transfersNet").asLong());
        assertEquals("primary", after.get("readFrom").asText(), "no replica configured");

        assertEquals(403, report(Map.of(), null).get("statusCode").asInt(), "members cannot read reports");
        assertEquals(400, report(Map.of("asOf", "yesterday"), "points:admin").get("statusCode").asInt());
    }
}
