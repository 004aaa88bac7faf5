package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Closing an account: what is left is forfeited by an entry that says so, later writes are refused, reads work. */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class AccountClosureTest extends SpendingSupport {

    static JsonNode close(String member, String reason, String reference, String sub, String scope) {
        ObjectNode event = ApiEvents.post("transfer", member, "/members/" + member + "/close", Map.of(),
                "{\"reason\":\"" + reason + "\",\"reference\":\"" + reference + "\"}", key());
        ApiEvents.path(event, "POST", "/members/" + member + "/close", "POST /members/{memberId}/close", Map.of("memberId", member));
        return Lambda.invoke(scope == null ? event : ApiEvents.as(event, sub, scope));
    }

    @Test
    void closingForfeitsWhatIsLeftAndRefusesLaterWrites() {
        String m = newMember();
        String other = newMember();
        seed(m, 100, "PURCHASE", null);
        seed(m, 30, "BONUS", null);
        seed(other, 5, "PURCHASE", null);
        String holdId = body(hold(m, 20, "cart-1", null)).get("holdId").asText();
        assertEquals(201, redeem(m, 10, "r-1").get("statusCode").asInt());

        assertEquals(403, close(m, "member asked", "close-1", null, null).get("statusCode").asInt(), "a member cannot close itself");
        JsonNode closed = close(m, "member asked", "close-1", "ops", "points:admin");
        assertEquals(200, closed.get("statusCode").asInt(), closed.toString());
        assertEquals(120, body(closed).get("forfeited").asLong());
        assertEquals("CLOSED", body(closed).get("status").asText());
        assertEquals(0, balance(m));
        assertEquals(0, activeHeld(m), "the active hold was voided");
        String description = db.read(tx -> tx.query("SELECT description FROM ledger_entries WHERE member_id = $1"
                + " AND reference = 'close-1' AND kind = 'ADJUSTMENT' AND points = -120", m).iterator().next().getString(0));
        assertEquals("account closed: member asked", description);
        assertEquals("account.closed", db.read(tx -> tx.query("SELECT type FROM outbox WHERE member_id = $1"
                + " ORDER BY sequence DESC LIMIT 1", m).iterator().next().getString(0)));

        // The same closing again: the first answer. Another one: ACCOUNT_CLOSED.
        JsonNode again = close(m, "member asked", "close-1", "ops", "points:admin");
        assertEquals(200, again.get("statusCode").asInt());
        assertEquals("true", again.at("/headers/idempotent-replayed").asText());
        assertEquals(120, body(again).get("forfeited").asLong());
        assertClosed(close(m, "other reason", "close-2", "ops", "points:admin"));

        // Every later write is refused; nothing changes.
        assertClosed(redeem(m, 1, "r-2"));
        assertClosed(hold(m, 1, "cart-2", null));
        assertClosed(capture(m, holdId, null)); // the hold was voided, but the account answers first
        assertClosed(transfer(m, other, 1, "t-1"));
        assertClosed(transfer(other, m, 1, "t-2")); // a closed account cannot receive
        assertEquals(5, balance(other));
        assertEquals(0, balance(m));
        // A retry of a write made before the closing still gets its original answer.
        assertEquals(201, redeem(m, 10, "r-1").get("statusCode").asInt());
        assertEquals(0, balance(m));
    }

    static void assertClosed(JsonNode response) {
        assertEquals(409, response.get("statusCode").asInt(), response.toString());
        assertEquals("ACCOUNT_CLOSED", body(response).get("code").asText());
    }
}
