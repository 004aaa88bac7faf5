package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every ledger entry records who made it, through which source, under which request. */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class AuditTrailTest extends SpendingSupport {
    @jakarta.inject.Inject
    dev.loyalty.functions.balance.BalanceQueries balances;
    @jakarta.inject.Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    record Audit(String kind, String sub, String source, String requestId) {
    }

    List<Audit> audit(String member) {
        return db.read(tx -> tx.list("SELECT kind, actor_sub, actor_source, request_id FROM ledger_entries"
                        + " WHERE member_id = $1 ORDER BY sequence",
                r -> new Audit(r.getString("kind"), r.getString("actor_sub"), r.getString("actor_source"),
                        r.getString("request_id")), member));
    }

    @Test
    void apiAndConsoleWritesRecordTheCallerTheSourceAndTheRequest() {
        String m = newMember();
        seed(m, 100, "PURCHASE", null); // the service directly: no request, no actor
        ObjectNode redeem = ApiEvents.post("redeem", m, "/members/" + m + "/redeem", Map.of(),
                "{\"points\":5,\"reference\":\"r-1\"}", key());
        String requestId = redeem.at("/requestContext/requestId").asText();
        assertEquals(201, Lambda.invoke(redeem).get("statusCode").asInt());

        ObjectNode adjust = ApiEvents.post("transfer", m, "/members/" + m + "/adjustments", Map.of(),
                "{\"points\":-1,\"reference\":\"fix-1\",\"reason\":\"ticket 9\"}", key());
        ApiEvents.path(adjust, "POST", "/members/" + m + "/adjustments", "POST /members/{memberId}/adjustments", Map.of("memberId", m));
        ((ObjectNode) adjust.get("headers")).put("x-loyalty-source", "console");
        assertEquals(201, Lambda.invoke(ApiEvents.as(adjust, "operator-7", "points:admin")).get("statusCode").asInt());

        List<Audit> trail = audit(m);
        assertEquals(new Audit("EARN", null, null, null), trail.get(0));
        assertEquals(new Audit("REDEEM", m, "api", requestId), trail.get(1));
        assertEquals("operator-7", trail.get(2).sub());
        assertEquals("console", trail.get(2).source());

        // The history as the balance function serves it: admin readers see the trail, members do not.
        var filter = new dev.loyalty.functions.store.LedgerStore.HistoryFilter(null, null, null, null);
        JsonNode asAdmin = json.valueToTree(balances.history(new dev.loyalty.core.MemberId(m), filter, null, 10, true).orElseThrow());
        assertEquals("operator-7", asAdmin.at("/items/0/actor/sub").asText(), asAdmin.toString());
        assertEquals("console", asAdmin.at("/items/0/actor/source").asText());
        assertEquals(requestId, asAdmin.at("/items/1/requestId").asText());
        JsonNode asMember = json.valueToTree(balances.history(new dev.loyalty.core.MemberId(m), filter, null, 10, false).orElseThrow());
        assertEquals(true, asMember.at("/items/0/actor").isMissingNode(), "a member does not see the audit trail");
        assertEquals(true, asMember.at("/items/0/requestId").isMissingNode());
    }
}
