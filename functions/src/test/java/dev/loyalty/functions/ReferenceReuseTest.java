package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference rule on every write route, through the handler with a NEW Idempotency-Key each
 * time (so the idempotency table cannot answer): the same request again is the original answer
 * marked replayed; a different request under the same reference is 409 REFERENCE_ALREADY_USED
 * naming the original, and changes nothing. The transfer case is the bug this was written for:
 * a second transfer to another member answered with the first one's success.
 */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class ReferenceReuseTest extends SpendingSupport {

    @Test
    void aTransferToAnotherMemberUnderTheSameReferenceIsRefused() {
        String a = newMember();
        String b = newMember();
        String c = newMember();
        seed(a, 100, "PURCHASE", null);
        seed(b, 1, "PURCHASE", null);
        seed(c, 1, "PURCHASE", null);
        JsonNode first = transfer(a, b, 10, "t1");
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        String original = body(first).get("transactionId").asText();

        assertRefused(transfer(a, c, 10, "t1"), original);
        assertEquals(1, balance(c), "C got nothing, and was not told it did");
        assertRefused(transfer(a, b, 11, "t1"), original);
        assertReplayed(transfer(a, b, 10, "t1"), original);
        assertEquals(90, balance(a));
        assertEquals(11, balance(b));
    }

    @Test
    void aRedeemWithOtherPointsOrDescriptionIsRefused() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        JsonNode first = redeemWith(m, 5, "r1", "mug");
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        String original = body(first).get("transactionId").asText();
        assertRefused(redeemWith(m, 5, "r1", "cup"), original);
        assertRefused(redeemWith(m, 6, "r1", "mug"), original);
        assertRefused(redeem(m, 5, "r1"), original); // no description is another request too
        assertReplayed(redeemWith(m, 5, "r1", "mug"), original);
        assertEquals(95, balance(m));
        // Holds and redeems share the namespace: a hold cannot take a redeem's reference.
        JsonNode hold = hold(m, 5, "r1", null);
        assertEquals(409, hold.get("statusCode").asInt(), hold.toString());
        assertEquals(original, body(hold).get("transactionId").asText());
    }

    @Test
    void aHoldWithOtherPointsOrTtlIsRefusedAndItsCaptureAndVoidReplay() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        JsonNode placed = hold(m, 30, "cart-1", 600L);
        assertEquals(201, placed.get("statusCode").asInt(), placed.toString());
        String holdId = body(placed).get("holdId").asText();
        JsonNode other = hold(m, 31, "cart-1", 600L);
        assertEquals(409, other.get("statusCode").asInt(), other.toString());
        assertEquals("REFERENCE_ALREADY_USED", body(other).get("code").asText());
        assertEquals(holdId, body(other).get("holdId").asText());
        assertEquals(409, hold(m, 30, "cart-1", 601L).get("statusCode").asInt());
        JsonNode again = hold(m, 30, "cart-1", 600L);
        assertEquals(201, again.get("statusCode").asInt());
        assertEquals("true", again.at("/headers/idempotent-replayed").asText(), again.toString());
        assertEquals(holdId, body(again).get("holdId").asText());
        // A redeem cannot take a hold's reference.
        assertEquals(409, redeem(m, 30, "cart-1").get("statusCode").asInt());

        JsonNode captured = capture(m, holdId, 20L);
        assertEquals(201, captured.get("statusCode").asInt(), captured.toString());
        String capture = body(captured).get("transactionId").asText();
        assertRefused(capture(m, holdId, 21L), capture);
        assertRefused(capture(m, holdId, null), capture); // "all of it" is 30, not the 20 captured
        assertReplayed(capture(m, holdId, 20L), capture);
        assertEquals(80, balance(m));

        JsonNode second = hold(m, 10, "cart-2", null);
        String secondId = body(second).get("holdId").asText();
        assertEquals(200, voidHold(m, secondId).get("statusCode").asInt());
        JsonNode voidAgain = voidHold(m, secondId);
        assertEquals(200, voidAgain.get("statusCode").asInt(), voidAgain.toString());
        assertEquals("true", voidAgain.at("/headers/idempotent-replayed").asText());
        assertEquals("VOIDED", body(voidAgain).get("status").asText());
        assertEquals(409, capture(m, secondId, null).get("statusCode").asInt(), "a voided hold is not active");
        assertEquals("HOLD_NOT_ACTIVE", body(capture(m, secondId, null)).get("code").asText());
    }

    @Test
    void aReversalOfAnotherTransactionOrAmountIsRefused() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        String r1 = body(redeem(m, 40, "o-1")).get("transactionId").asText();
        String r2 = body(redeem(m, 10, "o-2")).get("transactionId").asText();
        JsonNode first = reverse(m, r1, 5L, "refund-1");
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        String original = body(first).get("transactionId").asText();
        assertRefused(reverse(m, r2, 5L, "refund-1"), original);
        assertRefused(reverse(m, r1, 6L, "refund-1"), original);
        assertRefused(reverse(m, r1, null, "refund-1"), original);
        assertReplayed(reverse(m, r1, 5L, "refund-1"), original);
        assertEquals(55, balance(m));
    }

    @Test
    void anAdjustmentWithOtherPointsTypeOrReasonIsRefused() {
        String m = newMember();
        seed(m, 50, "PURCHASE", null);
        JsonNode first = adjust(m, "{\"points\":30,\"type\":\"BONUS\",\"reference\":\"fix-1\",\"reason\":\"ticket 1\"}");
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        String original = body(first).get("transactionId").asText();
        assertRefused(adjust(m, "{\"points\":31,\"type\":\"BONUS\",\"reference\":\"fix-1\",\"reason\":\"ticket 1\"}"), original);
        assertRefused(adjust(m, "{\"points\":30,\"type\":\"PROMO\",\"reference\":\"fix-1\",\"reason\":\"ticket 1\"}"), original);
        assertRefused(adjust(m, "{\"points\":30,\"type\":\"BONUS\",\"reference\":\"fix-1\",\"reason\":\"ticket 2\"}"), original);
        assertReplayed(adjust(m, "{\"points\":30,\"type\":\"BONUS\",\"reference\":\"fix-1\",\"reason\":\"ticket 1\"}"), original);
        assertEquals(80, balance(m));
    }

    static void assertRefused(JsonNode response, String originalTransactionId) {
        assertEquals(409, response.get("statusCode").asInt(), response.toString());
        assertEquals("application/problem+json", response.at("/headers/content-type").asText());
        assertEquals("REFERENCE_ALREADY_USED", body(response).get("code").asText());
        assertEquals(originalTransactionId, body(response).get("transactionId").asText());
    }

    static void assertReplayed(JsonNode response, String originalTransactionId) {
        assertEquals(201, response.get("statusCode").asInt(), response.toString());
        assertEquals("true", response.at("/headers/idempotent-replayed").asText(), response.toString());
        assertEquals(originalTransactionId, body(response).get("transactionId").asText());
    }

    private static JsonNode redeemWith(String member, long points, String reference, String description) {
        return Lambda.invoke(ApiEvents.post("redeem", member, "/members/" + member + "/redeem", Map.of(),
                "{\"points\":" + points + ",\"reference\":\"" + reference + "\",\"description\":\"" + description + "\"}", key()));
    }

    private static JsonNode adjust(String member, String json) {
        var event = ApiEvents.post("transfer", member, "/members/" + member + "/adjustments", Map.of(), json, key());
        ApiEvents.path(event, "POST", "/members/" + member + "/adjustments", "POST /members/{memberId}/adjustments",
                Map.of("memberId", member));
        return Lambda.invoke(ApiEvents.as(event, "ops", "points:admin"));
    }

}
