package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static dev.loyalty.functions.ReferenceReuseTest.assertRefused;
import static dev.loyalty.functions.ReferenceReuseTest.assertReplayed;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reference rule on the earn route, through the earn Lambda's handler, each call with a new Idempotency-Key. */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class EarnReferenceReuseTest extends LedgerTestSupport {

    @Test
    void anEarnWithOtherPointsTypeOrDescriptionIsRefused() {
        String m = newMember();
        JsonNode first = earn(m, "{\"points\":25,\"type\":\"PURCHASE\",\"reference\":\"e-1\",\"description\":\"order\"}");
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        String original = body(first).get("transactionId").asText();
        assertRefused(earn(m, "{\"points\":26,\"type\":\"PURCHASE\",\"reference\":\"e-1\",\"description\":\"order\"}"), original);
        assertRefused(earn(m, "{\"points\":25,\"type\":\"PROMO\",\"reference\":\"e-1\",\"description\":\"order\"}"), original);
        assertRefused(earn(m, "{\"points\":25,\"type\":\"PURCHASE\",\"reference\":\"e-1\",\"description\":\"other\"}"), original);
        assertReplayed(earn(m, "{\"points\":25,\"type\":\"PURCHASE\",\"reference\":\"e-1\",\"description\":\"order\"}"), original);
        assertEquals(25, body(earn(m, "{\"points\":1,\"type\":\"BONUS\",\"reference\":\"e-2\"}")).get("balance").asLong() - 1);
    }

    private static JsonNode earn(String member, String json) {
        var event = ApiEvents.post("earn", member, "/members/" + member + "/earn", Map.of(), json, "k-" + UUID.randomUUID());
        ApiEvents.path(event, "POST", "/members/" + member + "/earn", "POST /members/{memberId}/earn", Map.of("memberId", member));
        return Lambda.invoke(ApiEvents.as(event, "partner-1", "points:earn"));
    }
}
