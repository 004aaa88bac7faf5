package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every change writes exactly one domain event per member to the outbox, in the same
 * transaction, numbered 1, 2, 3 ... per member; a replay or a refusal writes none; the function
 * that made the change publishes it right after commit (the EventBridge stand-in receives it).
 */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class OutboxTest extends SpendingSupport {

    record Row(long sequence, String type, JsonObject data, String eventId, boolean published) {
    }

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "loyalty.events.endpoint")
    String busEndpoint;

    List<Row> outbox(String member) {
        return db.read(tx -> tx.list("SELECT sequence, type, data::text AS data, event_id, published_at IS NOT NULL AS published"
                        + " FROM outbox WHERE member_id = $1 ORDER BY sequence",
                r -> new Row(r.getLong("sequence"), r.getString("type"), new JsonObject(r.getString("data")),
                        r.getUUID("event_id").toString(), r.getBoolean("published")), member));
    }

    /**
     * Right after each write, its function published the write's event: the bus holds exactly the
     * member's outbox rows, once each, in sequence order, as the contract's entry; all marked published.
     */
    void deliveredExactlyOnceInOrder(String member, List<Row> rows) {
        List<JsonNode> got = new Bus(busEndpoint).received(member);
        assertEquals(rows.size(), got.size(), "one entry per event: " + got);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode e = got.get(i);
            JsonNode detail = e.get("detail");
            Row row = rows.get(i);
            assertEquals(row.type(), e.get("detailType").asText());
            assertEquals("loyalty", e.get("source").asText());
            assertEquals("loyalty-test", e.get("eventBusName").asText());
            assertEquals(row.eventId(), detail.get("eventId").asText());
            assertEquals(row.type(), detail.get("type").asText());
            assertEquals(member, detail.get("memberId").asText());
            assertEquals(row.sequence(), detail.get("sequence").asLong());
            assertEquals(row.data(), new JsonObject(detail.get("data").toString()), "data as written");
            assertTrue(row.published(), "marked published");
        }
        assertEquals(List.of(), new Bus(busEndpoint).violations(), "every event valid against its JSON Schema");
    }

    @Test
    void everyWriteEmitsOneEventInOrderAndRetriesNone() {
        String m = newMember();
        String other = newMember();
        seed(m, 100, "PURCHASE", null);
        seed(other, 1, "PURCHASE", null);
        String redeemId = body(redeem(m, 10, "o-1")).get("transactionId").asText();
        assertEquals(409, redeem(m, 11, "o-1").get("statusCode").asInt());      // refused: no event
        assertEquals(201, redeem(m, 10, "o-1").get("statusCode").asInt());      // replay: no event
        assertEquals(422, redeem(m, 1000, "o-2").get("statusCode").asInt());    // refused: no event
        String holdId = body(hold(m, 20, "cart-1", null)).get("holdId").asText();
        assertEquals(201, capture(m, holdId, 15L).get("statusCode").asInt());
        String second = body(hold(m, 5, "cart-2", null)).get("holdId").asText();
        assertEquals(200, voidHold(m, second).get("statusCode").asInt());
        assertEquals(201, reverse(m, redeemId, 4L, "refund-1").get("statusCode").asInt());
        JsonNode sent = transfer(m, other, 7, "gift-1");
        assertEquals(201, sent.get("statusCode").asInt(), sent.toString());

        List<Row> rows = outbox(m);
        assertEquals(List.of("points.earned", "points.redeemed", "hold.placed", "hold.captured", "hold.placed",
                "hold.voided", "points.reversed", "points.transferred"), rows.stream().map(Row::type).toList());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i + 1, rows.get(i).sequence(), "gapless per-member sequence");
        }
        assertEquals(redeemId, rows.get(1).data().getString("transactionId"));
        assertEquals(-10L, rows.get(1).data().getLong("points"));
        assertEquals(holdId, rows.get(3).data().getString("holdId"));
        assertEquals(15L, rows.get(3).data().getLong("captured"));
        assertEquals(5L, rows.get(3).data().getLong("released"));
        assertEquals("OUT", rows.get(7).data().getString("direction"));
        assertEquals(other, rows.get(7).data().getString("counterpartyMemberId"));
        assertEquals(balance(m), rows.get(7).data().getLong("balance"));

        List<Row> received = outbox(other);
        assertEquals(List.of("points.earned", "points.transferred"), received.stream().map(Row::type).toList());
        assertEquals("IN", received.get(1).data().getString("direction"));
        assertEquals(7L, received.get(1).data().getLong("points"));
        long eventSequence = db.read(tx -> tx.query("SELECT event_sequence FROM accounts WHERE member_id = $1", m)
                .iterator().next().getLong(0));
        assertEquals(rows.size(), eventSequence);
        deliveredExactlyOnceInOrder(m, rows);
        deliveredExactlyOnceInOrder(other, received);
    }

    @Test
    void anAdjustmentEmitsPointsAdjusted() {
        String m = newMember();
        seed(m, 10, "PURCHASE", null);
        var event = ApiEvents.post("transfer", m, "/members/" + m + "/adjustments", Map.of(),
                "{\"points\":-3,\"reference\":\"fix-1\",\"reason\":\"duplicate\"}", key());
        ApiEvents.path(event, "POST", "/members/" + m + "/adjustments", "POST /members/{memberId}/adjustments", Map.of("memberId", m));
        assertEquals(201, Lambda.invoke(ApiEvents.as(event, "ops", "points:admin")).get("statusCode").asInt());
        Row last = outbox(m).get(1);
        assertEquals("points.adjusted", last.type());
        assertEquals(-3L, last.data().getLong("points"));
        assertEquals("duplicate", last.data().getString("reason"));
        deliveredExactlyOnceInOrder(m, outbox(m));
    }
}
