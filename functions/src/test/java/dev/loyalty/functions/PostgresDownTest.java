package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.idempotency.IdempotencyStore;
import dev.loyalty.functions.idempotency.DynamoDbIdempotencyStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PostgreSQL is down after the key was claimed: 503, and the claim is released so a retry runs again. */
@QuarkusTest
@TestProfile(FunctionProfile.EarnPostgresDown.class)
class PostgresDownTest {
    @Inject
    DynamoDbClient dynamo;
    @Inject
    IdempotencyStore store;

    @Test
    void aServerErrorReleasesTheKey() {
        String key = "k-" + UUID.randomUUID();
        JsonNode r = Lambda.invoke(ApiEvents.earn("m-pg-down",
                "{\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"p1\"}", key));
        assertEquals(503, r.get("statusCode").asInt(), r.toString());
        assertEquals("SERVICE_UNAVAILABLE", body(r).get("code").asText());
        String scoped = dev.loyalty.functions.idempotency.IdempotentWrites.apiKey(
                new dev.loyalty.functions.http.Caller(EarnIdempotencyTest.PARTNER, Set.of()),
                dev.loyalty.contract.ApiRoutes.EARN, key);
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(DynamoResource.TABLE)
                .key(Map.of(DynamoDbIdempotencyStore.KEY, AttributeValue.fromS(scoped))).consistentRead(true)).item();
        assertTrue(item == null || !item.containsKey("responseStatus"), "a 5xx is not stored: " + item);
        // Released: the very next claim of the key wins, so the client's retry runs again.
        java.time.Instant now = java.time.Instant.now();
        assertTrue(store.claim(scoped, "any", now, now.toEpochMilli() + 1000, now.getEpochSecond() + 60)
                instanceof IdempotencyStore.Claim.Claimed);
    }
}
