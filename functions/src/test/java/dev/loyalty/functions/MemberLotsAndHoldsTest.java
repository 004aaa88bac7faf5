package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /members/{id}/lots} and {@code GET /members/{id}/holds} (points:admin; the console's
 * member page) through the balance Lambda's handler, with worked numbers: spending order, what
 * is left and available, expiry as the balance answer gives it, holds newest first with the
 * status a reader sees, paging, and the refusals.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class MemberLotsAndHoldsTest extends SpendingSupport {
    static final Instant T0 = Instant.parse("2067-06-10T12:00:00Z");

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    @Inject
    SpendService spend;

    static String holdId(SpendResult r) {
        return ((Receipts.HoldPlaced) assertInstanceOf(SpendResult.Done.class, r).receipt()).holdId().toString();
    }

    static JsonNode get(String member, String what, Map<String, String> query, String sub, String scope) {
        ObjectNode e = ApiEvents.history(member, query);
        ApiEvents.path(e, "GET", "/members/" + member + "/" + what, "GET /members/{memberId}/" + what, Map.of("memberId", member));
        return Lambda.invoke(ApiEvents.as(e, sub, scope));
    }

    static JsonNode admin(String member, String what, Map<String, String> query) {
        JsonNode r = get(member, what, query, "ops-console", "points:admin");
        assertEquals(200, r.get("statusCode").asInt(), r.toString());
        return body(r);
    }

    static List<String> column(JsonNode page, String field) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(i -> out.add(i.get(field).asText()));
        return out;
    }

    @Test
    void lotsInSpendingOrderWithWhatIsLeftAndTheirExpiryAndHoldsNewestFirst() {
        String m = newMember();
        TestClock.pin(T0);
        seed(m, 100, "PURCHASE", T0);  // 365 days
        seed(m, 50, "SIGN_IN", T0);    // 30 days: spent first
        seed(m, 40, "PROMO", T0);      // 90 days
        seed(m, 30, "BONUS", T0);      // never expires: last
        // 60 points: SIGN_IN's 50, then 10 of PROMO.
        MemberId id = new MemberId(m);
        assertInstanceOf(SpendResult.Done.class, spend.redeem(id, new RedeemCommand(60, "lots-r1", null)));
        String held = holdId(spend.hold(id, new HoldCommand(20, "lots-h1", 900L)));
        TestClock.pin(T0.plusSeconds(1));
        String voided = holdId(spend.hold(id, new HoldCommand(5, "lots-h2", 900L)));
        assertInstanceOf(SpendResult.Done.class, spend.voidHold(id, new VoidCommand(java.util.UUID.fromString(voided))));
        TestClock.pin(T0.plusSeconds(2));

        JsonNode open = admin(m, "lots", Map.of());
        assertEquals(List.of("PROMO", "PURCHASE", "BONUS"), column(open, "pointType"), "spending order, the spent SIGN_IN lot left out");
        assertEquals(List.of("30", "100", "30"), column(open, "remainingPoints"));
        assertEquals(List.of("30", "100", "30"), column(open, "availablePoints"));
        assertEquals(List.of("40", "100", "30"), column(open, "originalPoints"));
        assertTrue(open.get("nextCursor").isNull());
        // Expiry as the balance answer gives it: PROMO's 30 points first, then PURCHASE's 100; BONUS never.
        JsonNode expiring = body(Lambda.invoke(ApiEvents.balance(m))).get("expiring");
        assertEquals(30, expiring.get(0).get("points").asLong());
        assertEquals(expiring.get(0).get("expiresAt").asText(), open.get("items").get(0).get("expiresAt").asText());
        assertEquals(100, expiring.get(1).get("points").asLong());
        assertEquals(expiring.get(1).get("expiresAt").asText(), open.get("items").get(1).get("expiresAt").asText());
        assertTrue(open.get("items").get(1).get("expiresAt").asText().startsWith("2068-06-"), "PURCHASE: a year after 2067-06-10");
        assertTrue(open.get("items").get(2).get("expiresAt").isNull());

        // Every lot, two a page: SIGN_IN (spent) and PROMO, then PURCHASE and BONUS.
        JsonNode page1 = admin(m, "lots", Map.of("status", "ALL", "limit", "2"));
        assertEquals(List.of("SIGN_IN", "PROMO"), column(page1, "pointType"));
        assertEquals(List.of("0", "30"), column(page1, "remainingPoints"));
        JsonNode page2 = admin(m, "lots", Map.of("status", "ALL", "limit", "2", "cursor", page1.get("nextCursor").asText()));
        assertEquals(List.of("PURCHASE", "BONUS"), column(page2, "pointType"));
        assertTrue(page2.get("nextCursor").isNull());

        JsonNode holds = admin(m, "holds", Map.of());
        assertEquals(List.of(voided, held), column(holds, "holdId"), "newest first");
        assertEquals(List.of("VOIDED", "HELD"), column(holds, "status"));
        assertEquals(List.of("5", "20"), column(holds, "points"));
        JsonNode first = admin(m, "holds", Map.of("limit", "1"));
        assertEquals(List.of(voided), column(first, "holdId"));
        JsonNode second = admin(m, "holds", Map.of("limit", "1", "cursor", first.get("nextCursor").asText()));
        assertEquals(List.of(held), column(second, "holdId"));
        assertTrue(second.get("nextCursor").isNull());

        // 100 days on, before any sweep: PROMO has expired (its 30 points no longer available), the hold is over.
        TestClock.pin(T0.plus(Duration.ofDays(100)));
        JsonNode later = admin(m, "lots", Map.of());
        JsonNode promo = later.get("items").get(0);
        assertEquals("PROMO", promo.get("pointType").asText());
        assertTrue(promo.get("expired").asBoolean());
        assertEquals(30, promo.get("remainingPoints").asLong());
        assertEquals(0, promo.get("availablePoints").asLong());
        assertFalse(later.get("items").get(1).get("expired").asBoolean());
        assertEquals(List.of("VOIDED", "EXPIRED"), column(admin(m, "holds", Map.of()), "status"));
    }

    @Test
    void onlyOperatorsReadThemAndBadInputIsRefused() {
        String m = newMember();
        seed(m, 10, "BONUS", null);
        assertEquals(403, get(m, "lots", Map.of(), m, null).get("statusCode").asInt(), "the member itself: operators only");
        assertEquals(403, get(m, "holds", Map.of(), m, null).get("statusCode").asInt());
        JsonNode unknown = get("m-nobody-" + m, "lots", Map.of(), "ops", "points:admin");
        assertEquals(404, unknown.get("statusCode").asInt());
        assertEquals("MEMBER_NOT_FOUND", body(unknown).get("code").asText());
        assertEquals(404, get("m-nobody-" + m, "holds", Map.of(), "ops", "points:admin").get("statusCode").asInt());
        JsonNode status = get(m, "lots", Map.of("status", "SPENT"), "ops", "points:admin");
        assertEquals(400, status.get("statusCode").asInt());
        assertEquals("status", body(status).at("/errors/0/field").asText());
        assertEquals(400, get(m, "lots", Map.of("limit", "201"), "ops", "points:admin").get("statusCode").asInt());
        JsonNode cursor = get(m, "holds", Map.of("cursor", "bm90LWEtY3Vyc29y"), "ops", "points:admin");
        assertEquals(400, cursor.get("statusCode").asInt());
        assertEquals("cursor", body(cursor).at("/errors/0/field").asText());
        // Well formed but out of any stored range (a forged key PostgreSQL could not hold): 400, not 500.
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("v1:H:" + Long.MAX_VALUE + ":" + Long.MAX_VALUE + ":" + java.util.UUID.randomUUID())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode outOfRange = get(m, "holds", Map.of("cursor", forged), "ops", "points:admin");
        assertEquals(400, outOfRange.get("statusCode").asInt(), outOfRange.toString());
        assertEquals("cursor", body(outOfRange).at("/errors/0/field").asText());
        assertEquals(1, admin(m, "lots", Map.of()).get("items").size());
        assertEquals(0, admin(m, "holds", Map.of()).get("items").size());
    }
}
