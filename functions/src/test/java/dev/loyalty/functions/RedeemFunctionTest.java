package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spending routes through the redeem Lambda's handler, on real PostgreSQL and DynamoDB. */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class RedeemFunctionTest extends SpendingSupport {

    @Test
    void redeemSpendsFirstToExpireAndNeverOverdraws() {
        String m = newMember();
        UUID bonus = seed(m, 50, "BONUS", null);
        UUID signIn = seed(m, 30, "SIGN_IN", null);   // expires in 30 days: first
        UUID purchase = seed(m, 40, "PURCHASE", null); // 365 days: second
        JsonNode r = redeem(m, 60, "order-1");
        assertEquals(201, r.get("statusCode").asInt(), r.toString());
        JsonNode b = body(r);
        assertEquals(60, b.get("points").asLong());
        assertEquals(60, b.get("balance").asLong());
        assertEquals(lotOf(m, signIn), b.at("/allocations/0/lotId").asText());
        assertEquals(30, b.at("/allocations/0/points").asLong());
        assertEquals(lotOf(m, purchase), b.at("/allocations/1/lotId").asText());
        assertEquals(30, b.at("/allocations/1/points").asLong());
        assertEquals(50, lotRemaining(m, lotOf(m, bonus)), "never-expiring points go last");

        JsonNode tooMuch = redeem(m, 61, "order-2");
        assertEquals(422, tooMuch.get("statusCode").asInt());
        assertEquals("INSUFFICIENT_POINTS", body(tooMuch).get("code").asText());
        assertEquals(60, body(tooMuch).get("available").asLong());
        assertEquals(60, balance(m), "a refusal changes nothing");
    }

    @Test
    void expiredPointsAreNeverSpentEvenBeforeTheSweep() {
        String m = newMember();
        seed(m, 100, "SIGN_IN", Instant.now().minus(40, ChronoUnit.DAYS)); // expired, not swept
        seed(m, 10, "PURCHASE", null);
        JsonNode r = redeem(m, 11, "o-1");
        assertEquals(422, r.get("statusCode").asInt());
        assertEquals(10, body(r).get("available").asLong());
        assertEquals(201, redeem(m, 10, "o-2").get("statusCode").asInt());
    }

    @Test
    void holdsReserveCaptureReleasesTheRestAndVoidFrees() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        JsonNode h = hold(m, 70, "cart-1", null);
        assertEquals(201, h.get("statusCode").asInt(), h.toString());
        assertEquals("HELD", body(h).get("status").asText());
        assertEquals(30, body(h).get("available").asLong());
        String holdId = body(h).get("holdId").asText();
        assertEquals(422, redeem(m, 31, "o-1").get("statusCode").asInt(), "held points are not available");

        JsonNode c = capture(m, holdId, 50L);
        assertEquals(201, c.get("statusCode").asInt(), c.toString());
        assertEquals(50, body(c).get("points").asLong());
        assertEquals(50, body(c).get("balance").asLong());
        assertEquals(0, activeHeld(m), "the uncaptured 20 were released");
        JsonNode again = capture(m, holdId, 10L);
        assertEquals(409, again.get("statusCode").asInt());
        assertEquals("REFERENCE_ALREADY_USED", body(again).get("code").asText(), "another capture of a captured hold");

        String second = body(hold(m, 40, "cart-2", null)).get("holdId").asText();
        JsonNode v = voidHold(m, second);
        assertEquals(200, v.get("statusCode").asInt(), v.toString());
        assertEquals("VOIDED", body(v).get("status").asText());
        assertEquals(50, body(v).get("available").asLong());
        assertEquals("HOLD_NOT_ACTIVE", body(capture(m, second, null)).get("code").asText());
        assertEquals("HOLD_NOT_FOUND", body(capture(m, UUID.randomUUID().toString(), null)).get("code").asText());
        JsonNode over = capture(m, body(hold(m, 10, "cart-3", null)).get("holdId").asText(), 11L);
        assertEquals(400, over.get("statusCode").asInt(), "cannot capture more than held");
    }

    @Test
    void anExpiredHoldCannotBeCapturedAndFreesItsPoints() throws Exception {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        String holdId = body(hold(m, 80, "cart-1", 1L)).get("holdId").asText();
        Thread.sleep(1100);
        JsonNode c = capture(m, holdId, null);
        assertEquals(409, c.get("statusCode").asInt());
        assertEquals("HOLD_NOT_ACTIVE", body(c).get("code").asText());
        assertEquals(201, redeem(m, 100, "o-1").get("statusCode").asInt(), "the expired hold no longer reserves");
    }

    @Test
    void reversalRestoresTheSameLotsAndNeverExceedsTheOriginal() {
        String m = newMember();
        UUID a = seed(m, 30, "SIGN_IN", null);
        UUID b = seed(m, 70, "PURCHASE", null);
        String redeemId = body(redeem(m, 80, "o-1")).get("transactionId").asText();
        assertEquals(0, lotRemaining(m, lotOf(m, a)));
        assertEquals(20, lotRemaining(m, lotOf(m, b)));

        JsonNode partial = reverse(m, redeemId, 30L, "refund-1");
        assertEquals(201, partial.get("statusCode").asInt(), partial.toString());
        assertEquals(50, body(partial).get("balance").asLong());
        assertEquals(50, lotRemaining(m, lotOf(m, b)), "the lot spent last is restored first");
        JsonNode tooMuch = reverse(m, redeemId, 51L, "refund-2");
        assertEquals(422, tooMuch.get("statusCode").asInt());
        assertEquals("NOT_REVERSIBLE", body(tooMuch).get("code").asText());
        assertEquals(50, body(tooMuch).get("reversible").asLong());
        JsonNode rest = reverse(m, redeemId, null, "refund-3");
        assertEquals(201, rest.get("statusCode").asInt());
        assertEquals(100, body(rest).get("balance").asLong());
        assertEquals(30, lotRemaining(m, lotOf(m, a)));
        assertEquals(70, lotRemaining(m, lotOf(m, b)));
        assertEquals("NOT_REVERSIBLE", body(reverse(m, redeemId, 1L, "refund-4")).get("code").asText());

        // An earn's reversal takes back only what is unspent.
        redeem(m, 90, "o-2"); // spends SIGN_IN 30 then PURCHASE 60: PURCHASE lot keeps 10
        JsonNode earnBack = reverse(m, b.toString(), 20L, "claw-1");
        assertEquals(422, earnBack.get("statusCode").asInt());
        assertEquals(10, body(earnBack).get("reversible").asLong());
        assertEquals(201, reverse(m, b.toString(), 10L, "claw-2").get("statusCode").asInt());
        assertEquals(0, balance(m));
        assertEquals("TRANSACTION_NOT_FOUND", body(reverse(m, UUID.randomUUID().toString(), null, "x")).get("code").asText());
    }

    @Test
    void transfersKeepExpiryAndRefuseSelfAndStrangers() {
        String from = newMember();
        String to = newMember();
        seed(from, 40, "PROMO", null);
        seed(to, 1, "BONUS", null);
        JsonNode t = transfer(from, to, 25, "gift-1");
        assertEquals(201, t.get("statusCode").asInt(), t.toString());
        assertEquals(15, body(t).get("balance").asLong());
        assertEquals(26, balance(to));
        Instant senderExpiry = db.read(tx -> tx.query("SELECT expires_at FROM lots WHERE member_id = $1", from)
                .iterator().next().getOffsetDateTime(0).toInstant());
        Instant receiverExpiry = db.read(tx -> tx.query("SELECT expires_at FROM lots WHERE member_id = $1 AND point_type = 'PROMO'", to)
                .iterator().next().getOffsetDateTime(0).toInstant());
        assertEquals(senderExpiry, receiverExpiry, "the receiver's lot keeps the sender's expiry");
        JsonNode self = transfer(from, from, 1, "gift-2");
        assertEquals(400, self.get("statusCode").asInt());
        assertEquals("toMemberId", body(self).at("/errors/0/field").asText());
        JsonNode stranger = transfer(from, "nobody-" + UUID.randomUUID().toString().substring(0, 8), 1, "gift-3");
        assertEquals(404, stranger.get("statusCode").asInt());
        assertEquals("MEMBER_NOT_FOUND", body(stranger).get("code").asText());
        assertEquals(15, balance(from));
    }

    /** Every spending sample in events/ goes through the handler as it is, and gets a contract answer. */
    @Test
    void everySpendingSamplePassesThroughTheHandler() {
        seed("m-1001", 1000, "PURCHASE", null);
        seed("m-2002", 1, "BONUS", null);
        Map<String, Integer> expected = Map.of(
                "redeem", 201, "hold", 201, "transfer", 201,
                "capture", 404, "void", 404, "reversal", 404); // their hold and transaction ids name nothing here
        expected.forEach((sample, status) -> {
            JsonNode r = Lambda.invoke(Lambda.sample("api/" + sample + ".json"));
            assertEquals(status, r.get("statusCode").asInt(), sample + ": " + r);
            assertTrue(ApiEvents.headers(r).get("content-type").startsWith("application/"), sample);
        });
        assertEquals(1000 - 100 - 75, balance("m-1001"));
    }

    @Test
    void anAdjustmentIsAnExplicitAdminEntryWithItsReason() {
        String m = newMember();
        seed(m, 50, "PURCHASE", null);
        String credit = "{\"points\":30,\"type\":\"BONUS\",\"reference\":\"fix-1\",\"reason\":\"ticket 4411: missed promo\"}";
        var event = ApiEvents.post("transfer", m, "/members/" + m + "/adjustments", Map.of(), credit, key());
        ApiEvents.path(event, "POST", "/members/" + m + "/adjustments", "POST /members/{memberId}/adjustments", Map.of("memberId", m));
        assertEquals(403, Lambda.invoke(event).get("statusCode").asInt(), "members cannot adjust themselves");
        JsonNode up = Lambda.invoke(ApiEvents.as(event, "ops", "points:admin"));
        assertEquals(201, up.get("statusCode").asInt(), up.toString());
        assertEquals(80, body(up).get("balance").asLong());
        var debit = ApiEvents.post("transfer", m, "/members/" + m + "/adjustments", Map.of(),
                "{\"points\":-60,\"reference\":\"fix-2\",\"reason\":\"duplicate import\"}", key());
        ApiEvents.path(debit, "POST", "/members/" + m + "/adjustments", "POST /members/{memberId}/adjustments", Map.of("memberId", m));
        JsonNode down = Lambda.invoke(ApiEvents.as(debit, "ops", "points:admin"));
        assertEquals(201, down.get("statusCode").asInt(), down.toString());
        assertEquals(20, body(down).get("balance").asLong());
        assertEquals(-60, body(down).get("points").asLong());
        String reason = db.read(tx -> tx.query("SELECT description FROM ledger_entries WHERE member_id = $1 AND reference = 'fix-2'", m)
                .iterator().next().getString(0));
        assertEquals("duplicate import", reason);
        var noReason = ApiEvents.post("transfer", m, "/members/" + m + "/adjustments", Map.of(),
                "{\"points\":5,\"type\":\"BONUS\",\"reference\":\"fix-3\"}", key());
        ApiEvents.path(noReason, "POST", "/members/" + m + "/adjustments", "POST /members/{memberId}/adjustments", Map.of("memberId", m));
        assertEquals(400, Lambda.invoke(ApiEvents.as(noReason, "ops", "points:admin")).get("statusCode").asInt());
    }

    @Test
    void membersActOnThemselvesOnly() {
        String m = newMember();
        seed(m, 10, "PURCHASE", null);
        var event = ApiEvents.post("redeem", m, "/members/" + m + "/redeem", Map.of(), "{\"points\":1,\"reference\":\"r\"}", key());
        assertEquals(403, Lambda.invoke(ApiEvents.as(event, "someone-else", null)).get("statusCode").asInt());
        assertEquals(403, Lambda.invoke(ApiEvents.as(event, "partner", "points:earn")).get("statusCode").asInt());
        assertEquals(201, Lambda.invoke(ApiEvents.as(event, "ops", "points:admin")).get("statusCode").asInt());
        JsonNode unknown = redeem("ghost-" + UUID.randomUUID().toString().substring(0, 8), 1, "r");
        assertEquals(404, unknown.get("statusCode").asInt());
        assertTrue(body(unknown).get("code").asText().equals("MEMBER_NOT_FOUND"));
    }
}
