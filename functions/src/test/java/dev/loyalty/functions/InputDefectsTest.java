package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Input a black-box tester found accepted: each is now a clear 400 that changes nothing. */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class InputDefectsTest extends SpendingSupport {

    @Test
    void idempotencyKeysWithATabOrAnEdgeSpaceAreRefused() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        for (String key : new String[]{"a\tb", "key ", " key"}) {
            JsonNode r = Lambda.invoke(ApiEvents.post("redeem", m, "/members/" + m + "/redeem", Map.of(),
                    "{\"points\":1,\"reference\":\"r-" + key.trim() + "\"}", key));
            assertEquals(400, r.get("statusCode").asInt(), key + ": " + r);
            assertEquals("VALIDATION_FAILED", body(r).get("code").asText());
        }
        assertEquals(100, balance(m));
    }

    @Test
    void dotAndDotDotAreNotMemberIds() {
        for (String id : new String[]{".", ".."}) {
            JsonNode r = redeem(id, 1, "r-1");
            assertEquals(400, r.get("statusCode").asInt(), r.toString());
            assertEquals("VALIDATION_FAILED", body(r).get("code").asText());
        }
    }

    @Test
    void anExplicitNullIsNotAMissingField() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        String holdId = body(hold(m, 40, "cart-1", null)).get("holdId").asText();
        ObjectNode event = ApiEvents.post("capture", m, "/members/" + m + "/holds/" + holdId + "/capture",
                Map.of("holdId", holdId), "{\"points\":null}", key());
        JsonNode r = Lambda.invoke(event);
        assertEquals(400, r.get("statusCode").asInt(), r.toString());
        assertEquals(100, balance(m));
        assertEquals(40, activeHeld(m), "the hold is untouched");
    }

    @Test
    void aRepeatedJsonKeyIsRefused() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        JsonNode r = Lambda.invoke(ApiEvents.post("redeem", m, "/members/" + m + "/redeem", Map.of(),
                "{\"points\":1000000001,\"reference\":\"r-1\",\"points\":1}", key()));
        assertEquals(400, r.get("statusCode").asInt(), r.toString());
        assertEquals("VALIDATION_FAILED", body(r).get("code").asText());
        assertEquals(100, balance(m));
    }
}
