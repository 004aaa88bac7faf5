package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.spend.RedeemFunction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Rewards and redemptions through the redeem Lambda's handler on real PostgreSQL: the flash-sale
 * race, the refund saga (cancel restores exactly the lots and the stock, once), and the rules.
 * The race calls the handler method from many threads (many Lambda instances on one database),
 * like {@code SpendingConcurrencyTest}.
 */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class RedemptionsTest extends SpendingSupport {
    @Inject
    RedeemFunction function;

    static HttpApiEvent typed(ObjectNode json) {
        try {
            return Lambda.JSON.treeToValue(json, HttpApiEvent.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpApiResponse call(ObjectNode json) {
        return function.redeem(typed(json));
    }

    static JsonNode body(HttpApiResponse r) {
        try {
            return Lambda.JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode admin(ObjectNode e) {
        return ApiEvents.as(e, "ops-console", "points:admin");
    }

    HttpApiResponse putReward(String rewardId, long cost, Long stock, Integer limit, boolean active) {
        ObjectNode e = Lambda.sample("api/reward-put.json");
        ApiEvents.path(e, "PUT", "/rewards/" + rewardId, "PUT /rewards/{rewardId}", Map.of("rewardId", rewardId));
        e.put("body", "{\"name\":\"Mug\",\"cost\":" + cost + (stock == null ? "" : ",\"initialStock\":" + stock)
                + (limit == null ? "" : ",\"perMemberLimit\":" + limit) + ",\"active\":" + active + "}");
        return call(admin(e));
    }

    String reward(long cost, Long stock, Integer limit) {
        String id = "rw-" + UUID.randomUUID().toString().substring(0, 12);
        assertEquals(201, putReward(id, cost, stock, limit, true).statusCode());
        return id;
    }

    ObjectNode redemptionEvent(String member, String rewardId, Integer quantity, String reference, String key) {
        return ApiEvents.post("redemption", member, "/members/" + member + "/redemptions", Map.of(),
                "{\"rewardId\":\"" + rewardId + "\"" + (quantity == null ? "" : ",\"quantity\":" + quantity)
                        + ",\"reference\":\"" + reference + "\"}", key);
    }

    HttpApiResponse redeemReward(String member, String rewardId, Integer quantity, String reference) {
        return call(redemptionEvent(member, rewardId, quantity, reference, key()));
    }

    ObjectNode finishEvent(String action, String member, String redemptionId, String body, String sub, String scope) {
        ObjectNode e = ApiEvents.post("redemption-" + action, member,
                "/members/" + member + "/redemptions/" + redemptionId + "/" + action, Map.of("redemptionId", redemptionId),
                body, key());
        return ApiEvents.as(e, sub, scope);
    }

    HttpApiResponse cancel(String member, String redemptionId, String reason) {
        return call(finishEvent("cancel", member, redemptionId, "{\"reason\":\"" + reason + "\"}", "shop-1", "points:fulfil"));
    }

    HttpApiResponse fulfil(String member, String redemptionId, String ref) {
        return call(finishEvent("fulfil", member, redemptionId, "{\"fulfilmentRef\":\"" + ref + "\"}", "shop-1",
                "points:fulfil"));
    }

    Long stock(String rewardId) {
        return db.read(tx -> tx.query("SELECT stock FROM rewards WHERE reward_id = $1", rewardId).iterator().next().getLong(0));
    }

    /** The member's lots: id to remaining points and expiry. */
    Map<String, String> lots(String member) {
        Map<String, String> out = new HashMap<>();
        db.read(tx -> tx.query("SELECT lot_id, remaining_points, expires_at FROM lots WHERE member_id = $1", member))
                .forEach(r -> out.put(r.getUUID(0).toString(), r.getLong(1) + "@" + r.getOffsetDateTime(2)));
        return out;
    }

    List<String> events(String member) {
        List<String> out = new ArrayList<>();
        db.read(tx -> tx.query("SELECT type FROM outbox WHERE member_id = $1 ORDER BY sequence", member))
                .forEach(r -> out.add(r.getString(0)));
        return out;
    }

    @Test
    void threeHundredMembersRaceForTwentyUnitsThenOneCancelGivesBackExactlyTheLotsAndOneUnit() throws Exception {
        String rewardId = reward(30, 20L, null);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String m = newMember();
            seed(m, 20, "PURCHASE", null);
            seed(m, 80, "BONUS", null); // never expires: spent after the PURCHASE lot
            members.add(m);
        }
        Map<String, Map<String, String>> lotsBefore = new HashMap<>();
        members.forEach(m -> lotsBefore.put(m, lots(m)));
        List<HttpApiEvent> events = members.stream()
                .map(m -> typed(redemptionEvent(m, rewardId, null, "flash-" + m, key()))).toList();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpApiResponse>> futures = new ArrayList<>();
        for (HttpApiEvent e : events) {
            futures.add(pool.submit(() -> {
                start.await();
                return function.redeem(e);
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        Map<String, HttpApiResponse> answers = new HashMap<>();
        for (int i = 0; i < futures.size(); i++) {
            answers.put(members.get(i), futures.get(i).get(120, TimeUnit.SECONDS));
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        pool.shutdown();
        List<String> winners = new ArrayList<>();
        int outOfStock = 0;
        for (String m : members) {
            HttpApiResponse r = answers.get(m);
            if (r.statusCode() == 201) {
                winners.add(m);
                assertEquals("PENDING", body(r).path("status").asText());
                assertEquals(70, balance(m), "winner " + m);
            } else {
                assertEquals(409, r.statusCode(), r.body());
                assertEquals("OUT_OF_STOCK", body(r).path("code").asText());
                assertEquals(0, body(r).path("stock").asLong(-1));
                assertEquals(100, balance(m), "loser " + m + " kept its points");
                assertEquals(lotsBefore.get(m), lots(m));
                outOfStock++;
            }
        }
        System.out.printf("300 members on a stock of 20: %d x 201, %d x OUT_OF_STOCK in %d ms%n", winners.size(), outOfStock,
                millis);
        assertEquals(20, winners.size());
        assertEquals(280, outOfStock);
        assertEquals(0L, stock(rewardId));
        assertEquals(20L, (long) db.read(tx -> tx.query("SELECT count(*) FROM redemptions WHERE reward_id = $1"
                + " AND status = 'PENDING'", rewardId).iterator().next().getLong(0)));

        // One cancel: one unit back, the member's exact lots (points and expiry) and balance back.
        String m = winners.get(0);
        String redemptionId = db.read(tx -> tx.query("SELECT redemption_id FROM redemptions WHERE member_id = $1", m)
                .iterator().next().getUUID(0).toString());
        HttpApiResponse cancelled = cancel(m, redemptionId, "warehouse empty");
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("CANCELLED", body(cancelled).path("status").asText());
        assertEquals(100, body(cancelled).path("balance").asLong());
        assertEquals(1L, stock(rewardId));
        assertEquals(100, balance(m));
        assertEquals(lotsBefore.get(m), lots(m));
        assertEquals(List.of("points.earned", "points.earned", "redemption.created", "redemption.cancelled"), events(m));
    }

    @Test
    void aRaceTheReadCannotSeeIsCaughtByTheGuardedDecrementAndSpendsNothing() throws Exception {
        String rewardId = reward(10, 1L, null);
        String m = newMember();
        seed(m, 50, "PURCHASE", null);
        Map<String, String> before = lots(m);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // Another writer holds the reward's row and will take the last unit.
        Future<?> other = pool.submit(() -> db.inTransaction(tx -> {
            tx.query("SELECT stock FROM rewards WHERE reward_id = $1 FOR UPDATE", rewardId);
            locked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            tx.query("UPDATE rewards SET stock = 0 WHERE reward_id = $1", rewardId);
            return null;
        }));
        locked.await(30, TimeUnit.SECONDS);
        // Reads stock 1 (plain reads do not wait for the lock), then its decrement waits for it.
        Future<HttpApiResponse> mine = pool.submit(() -> redeemReward(m, rewardId, 1, "late-1"));
        Thread.sleep(500);
        release.countDown();
        other.get(30, TimeUnit.SECONDS);
        HttpApiResponse r = mine.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(409, r.statusCode(), r.body());
        assertEquals("OUT_OF_STOCK", body(r).path("code").asText());
        assertEquals(0, body(r).path("stock").asLong(-1));
        assertEquals(50, balance(m));
        assertEquals(before, lots(m));
        assertEquals(0L, stock(rewardId));
        assertEquals(List.of("points.earned"), events(m));
    }

    @Test
    void insufficientPointsTakesNoStock() {
        String rewardId = reward(100, 5L, null);
        String m = newMember();
        seed(m, 99, "PURCHASE", null);
        HttpApiResponse r = redeemReward(m, rewardId, 1, "poor-1");
        assertEquals(422, r.statusCode());
        assertEquals("INSUFFICIENT_POINTS", body(r).path("code").asText());
        assertEquals(99, body(r).path("available").asLong());
        assertEquals(5L, stock(rewardId));
        assertEquals(99, balance(m));
    }

    @Test
    void fulfilAndCancelOnlyFromPendingAndNeverASecondRefund() {
        String rewardId = reward(10, 10L, null);
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        JsonNode a = body(redeemReward(m, rewardId, 2, "a"));
        assertEquals(80, a.path("balance").asLong());
        assertEquals(8L, stock(rewardId));
        String id = a.path("redemptionId").asText();
        assertEquals(200, cancel(m, id, "changed my mind").statusCode());
        assertEquals(100, balance(m));
        assertEquals(10L, stock(rewardId));
        // The same cancel again (another Idempotency-Key): the first answer, no second refund.
        HttpApiResponse again = cancel(m, id, "changed my mind");
        assertEquals(200, again.statusCode());
        assertEquals("true", again.headers().get("idempotent-replayed"));
        assertEquals(100, body(again).path("balance").asLong());
        // Another cancel: not PENDING.
        HttpApiResponse other = cancel(m, id, "another reason");
        assertEquals(409, other.statusCode());
        assertEquals("REDEMPTION_NOT_PENDING", body(other).path("code").asText());
        assertEquals("CANCELLED", body(other).path("status").asText());
        assertEquals(100, balance(m));
        assertEquals(10L, stock(rewardId));
        // Fulfil after cancel: 409.
        HttpApiResponse late = fulfil(m, id, "parcel-1");
        assertEquals(409, late.statusCode());
        assertEquals("REDEMPTION_NOT_PENDING", body(late).path("code").asText());

        // Fulfil, then a cancel is refused; the member cannot fulfil; unknown ids are 404.
        String b = body(redeemReward(m, rewardId, 1, "b")).path("redemptionId").asText();
        assertEquals(403, call(finishEvent("fulfil", m, b, "{}", m, null)).statusCode());
        HttpApiResponse fulfilled = fulfil(m, b, "parcel-2");
        assertEquals(200, fulfilled.statusCode(), fulfilled.body());
        assertEquals("FULFILLED", body(fulfilled).path("status").asText());
        assertEquals("true", fulfil(m, b, "parcel-2").headers().get("idempotent-replayed"));
        assertEquals(409, cancel(m, b, "too late").statusCode());
        assertEquals(90, balance(m));
        assertEquals(404, cancel(m, UUID.randomUUID().toString(), "x").statusCode());

        // The member cancels its own PENDING redemption.
        String c = body(redeemReward(m, rewardId, 1, "c")).path("redemptionId").asText();
        assertEquals(200, call(finishEvent("cancel", m, c, "{\"reason\":\"mine\"}", m, null)).statusCode());
        assertEquals(90, balance(m));
        assertEquals(9L, stock(rewardId));
        assertEquals(List.of("points.earned", "redemption.created", "redemption.cancelled", "redemption.created",
                "redemption.fulfilled", "redemption.created", "redemption.cancelled"), events(m));

        // The list, newest first.
        ObjectNode list = ApiEvents.as(Lambda.sample("api/redemptions.json"), m, null);
        ApiEvents.path(list, "GET", "/members/" + m + "/redemptions", "GET /members/{memberId}/redemptions",
                Map.of("memberId", m));
        JsonNode items = body(call(list)).path("items");
        assertEquals(3, items.size());
        assertEquals("CANCELLED", items.get(0).path("status").asText());
        assertEquals("FULFILLED", items.get(1).path("status").asText());
        assertEquals("parcel-2", items.get(1).path("fulfilmentRef").asText());
    }

    @Test
    void aCancelAfterAnOperatorsReversalGivesBackOnlyTheRest() {
        String rewardId = reward(40, 3L, null);
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        JsonNode a = body(redeemReward(m, rewardId, 1, "op-a"));
        JsonNode rev = reverse(m, a.path("transactionId").asText(), 15L, "support-1");
        assertEquals(201, rev.path("statusCode").asInt(), rev.toString());
        assertEquals(75, balance(m));
        HttpApiResponse cancelled = cancel(m, a.path("redemptionId").asText(), "returned");
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals(100, body(cancelled).path("balance").asLong());
        assertEquals(100, balance(m));
        assertEquals(3L, stock(rewardId));
        // Fully reversed by an operator first: the cancel refunds nothing more, the unit still returns.
        JsonNode b = body(redeemReward(m, rewardId, 1, "op-b"));
        assertEquals(201, reverse(m, b.path("transactionId").asText(), null, "support-2").path("statusCode").asInt());
        HttpApiResponse none = cancel(m, b.path("redemptionId").asText(), "returned");
        assertEquals(200, none.statusCode(), none.body());
        assertEquals(100, body(none).path("balance").asLong());
        assertEquals(100, balance(m));
        assertEquals(3L, stock(rewardId));
        assertEquals(100, body(cancel(m, b.path("redemptionId").asText(), "returned")).path("balance").asLong());
    }

    @Test
    void limitsReferencesInactiveAndUnknownRewards() {
        String rewardId = reward(5, null, 2);
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        String key = key();
        HttpApiResponse first = call(redemptionEvent(m, rewardId, 2, "l-1", key));
        assertEquals(201, first.statusCode(), first.body());
        // The same request under another key: the first answer (the reference rule).
        HttpApiResponse replay = redeemReward(m, rewardId, 2, "l-1");
        assertEquals(201, replay.statusCode());
        assertEquals("true", replay.headers().get("idempotent-replayed"));
        assertEquals(body(first).path("redemptionId"), body(replay).path("redemptionId"));
        assertEquals(body(first).path("allocations"), body(replay).path("allocations"));
        // Another request with that reference, and a plain redeem with it: 409.
        assertEquals("REFERENCE_ALREADY_USED", body(redeemReward(m, rewardId, 1, "l-1")).path("code").asText());
        assertEquals(true, redeem(m, 10, "l-1").path("body").asText().contains("REFERENCE_ALREADY_USED"));
        // PENDING units count against the limit.
        HttpApiResponse over = redeemReward(m, rewardId, 1, "l-2");
        assertEquals(422, over.statusCode());
        assertEquals("REDEMPTION_LIMIT_REACHED", body(over).path("code").asText());
        assertEquals(2, body(over).path("limit").asInt());
        assertEquals(90, balance(m));
        assertEquals(404, redeemReward(m, "no-such-reward", 1, "l-3").statusCode());
        assertEquals(400, redeemReward(m, rewardId, 101, "l-4").statusCode());
        assertEquals(200, putReward(rewardId, 5, 999L, 2, false).statusCode());
        HttpApiResponse inactive = redeemReward(m, rewardId, 1, "l-5");
        assertEquals(409, inactive.statusCode());
        assertEquals("REWARD_INACTIVE", body(inactive).path("code").asText());
        assertEquals(null, stock(rewardId)); // initialStock applies on creation only: still unlimited
        // Only admins define rewards; anyone lists them.
        ObjectNode put = Lambda.sample("api/reward-put.json");
        ApiEvents.path(put, "PUT", "/rewards/x", "PUT /rewards/{rewardId}", Map.of("rewardId", "x"));
        assertEquals(403, call(ApiEvents.as(put, m, null)).statusCode());
        ObjectNode get = ApiEvents.as(Lambda.sample("api/rewards.json"), m, null);
        JsonNode listed = body(call(get)).path("items");
        assertNotEquals(0, listed.size());
    }

    @Test
    void stockChangesApplyOnceByReferenceAndNeverGoBelowZero() {
        String rewardId = reward(5, 3L, null);
        ObjectNode e = Lambda.sample("api/reward-stock.json");
        ApiEvents.path(e, "POST", "/rewards/" + rewardId + "/stock", "POST /rewards/{rewardId}/stock",
                Map.of("rewardId", rewardId));
        e.put("body", "{\"delta\":5,\"reference\":\"delivery-1\"}");
        ((ObjectNode) e.get("headers")).put("idempotency-key", key());
        HttpApiResponse added = call(admin(e));
        assertEquals(201, added.statusCode(), added.body());
        assertEquals(8, body(added).path("stock").asLong());
        ((ObjectNode) e.get("headers")).put("idempotency-key", key());
        HttpApiResponse again = call(admin(e));
        assertEquals(8, body(again).path("stock").asLong());
        assertEquals("true", again.headers().get("idempotent-replayed"));
        assertEquals(8L, stock(rewardId));
        e.put("body", "{\"delta\":7,\"reference\":\"delivery-1\"}");
        ((ObjectNode) e.get("headers")).put("idempotency-key", key());
        assertEquals("REFERENCE_ALREADY_USED", body(call(admin(e))).path("code").asText());
        e.put("body", "{\"delta\":-9,\"reference\":\"shrinkage-1\"}");
        ((ObjectNode) e.get("headers")).put("idempotency-key", key());
        HttpApiResponse below = call(admin(e));
        assertEquals(409, below.statusCode());
        assertEquals(8, body(below).path("stock").asLong());
        assertEquals(8L, stock(rewardId));
    }
}
