package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.queue.QueueEarnService;
import dev.loyalty.functions.queue.SqsEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operators list parked queue records and replay them, fixed, through the reports Lambda. */
@QuarkusTest
@TestProfile(FunctionProfile.Reports.class)
class ParkedAdminTest extends SpendingSupport {
    @Inject
    QueueEarnService queue;

    ObjectNode admin(String method, String path, String routeKey, Map<String, String> params, String body) {
        ObjectNode e = Lambda.sample("api/earn.json");
        ApiEvents.path(e, method, path, routeKey, params);
        e.put("body", body);
        ((ObjectNode) e.get("headers")).put("idempotency-key", key());
        return ApiEvents.as(e, "ops", "points:admin");
    }

    @Test
    void aParkedRecordIsListedAndAppliesOnceWhenReplayedFixed() {
        String m = newMember();
        String messageId = "bad-" + UUID.randomUUID();
        String broken = "{\"memberId\":\"" + m + "\",\"points\":\"forty\",\"type\":\"PURCHASE\",\"reference\":\"pos-1\"}";
        queue.process(new SqsEvent(List.of(new SqsEvent.Record(messageId, "h", broken, Map.of(), "aws:sqs", null, null))));

        JsonNode list = body(Lambda.invoke(admin("GET", "/admin/parked", "GET /admin/parked", Map.of(), null)));
        JsonNode mine = null;
        for (JsonNode item : list.get("items")) {
            if (item.get("messageId").asText().equals(messageId)) {
                mine = item;
            }
        }
        assertTrue(mine != null, list.toString());
        assertEquals(broken, mine.get("rawBody").asText());
        assertEquals("VALIDATION_FAILED", mine.get("code").asText());

        String fixed = broken.replace("\"forty\"", "40");
        String path = "/admin/parked/" + messageId + "/replay";
        JsonNode replayed = Lambda.invoke(admin("POST", path, "POST /admin/parked/{messageId}/replay",
                Map.of("messageId", messageId), fixed));
        assertEquals(200, replayed.get("statusCode").asInt(), replayed.toString());
        assertTrue(body(replayed).get("applied").asBoolean());
        assertEquals(40, balance(m));
        JsonNode again = Lambda.invoke(admin("POST", path, "POST /admin/parked/{messageId}/replay",
                Map.of("messageId", messageId), fixed));
        assertEquals(404, again.get("statusCode").asInt(), "a replayed record is closed");
        assertEquals(40, balance(m));
        ObjectNode member = admin("GET", "/admin/parked", "GET /admin/parked", Map.of(), null);
        assertEquals(403, Lambda.invoke(ApiEvents.as(member, m, null)).get("statusCode").asInt());
    }
}
