package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The idempotency table is down: 503 with Retry-After, and the ledger is never touched. */
@QuarkusTest
@TestProfile(FunctionProfile.EarnDynamoDown.class)
class DependencyFailureTest extends LedgerTestSupport {
    @Inject
    Db db;

    @Test
    void dynamoDownIs503AndNothingIsWritten() {
        String member = newMember();
        JsonNode r = Lambda.invoke(ApiEvents.earn(member,
                "{\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"d1\"}", "k-" + UUID.randomUUID()));
        assertEquals(503, r.get("statusCode").asInt(), r.toString());
        assertEquals("SERVICE_UNAVAILABLE", body(r).get("code").asText());
        assertEquals("1", ApiEvents.headers(r).get("retry-after"));
        long rows = db.read(tx -> tx.query("SELECT (SELECT count(*) FROM ledger_entries WHERE member_id = $1)"
                + " + (SELECT count(*) FROM accounts WHERE member_id = $1)", member).iterator().next().getLong(0));
        assertEquals(0, rows, "nothing reached the ledger");
    }
}
