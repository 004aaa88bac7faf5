package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.tiers.TierSetParser;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay delivers the program's stream like any member's: a publication whose after-commit
 * publish failed (the bus down) stays unpublished in the outbox under {@code _program}, and the
 * next relay run delivers it with the same eventId and marks it.
 */
@QuarkusTest
@TestProfile(FunctionProfile.OutboxRelayJob.class)
class ProgramEventsRelayTest {
    @ConfigProperty(name = "loyalty.events.endpoint")
    String busEndpoint;
    @Inject
    TierSets tierSets;
    @Inject
    Db db;

    Bus bus() {
        return new Bus(busEndpoint);
    }

    @AfterEach
    void heal() {
        bus().heal();
    }

    record Row(String eventId, boolean published) {
    }

    List<Row> unpublished() {
        return db.read(tx -> tx.list("SELECT event_id, published_at IS NOT NULL AS p FROM outbox WHERE member_id = $1"
                        + " AND published_at IS NULL ORDER BY sequence",
                r -> new Row(r.getUUID("event_id").toString(), r.getBoolean("p")), MemberId.PROGRAM_STREAM));
    }

    @Test
    void aProgramEventTheBusMissedIsDeliveredByTheRelay() {
        List<Row> before = unpublished(); // whatever earlier tests left for the relay
        bus().fail(0, 1, true); // EventBridge down
        var parsed = (TierSetParser.Result.Parsed) tierSets.parse(new JsonObject(ProgramPublicationsTest.TIERS).getMap());
        var created = assertInstanceOf(TierSets.Published.Created.class,
                tierSets.publish(parsed.tierSet(), null, Instant.now(), "relay-test"));
        List<Row> waiting = new java.util.ArrayList<>(unpublished());
        waiting.removeAll(before);
        assertEquals(1, waiting.size(), "the publication's event waits in the outbox: " + waiting);
        String eventId = waiting.get(0).eventId();

        bus().heal();
        JsonNode report = Lambda.invoke(Lambda.sample("scheduled/outbox-relay.json"));
        assertTrue(report.get("published").asLong() >= 1, report.toString());
        List<JsonNode> got = bus().received(MemberId.PROGRAM_STREAM);
        JsonNode delivered = got.stream().filter(e -> e.get("detail").get("eventId").asText().equals(eventId)).findFirst()
                .orElseThrow(() -> new AssertionError("not delivered: " + got));
        assertEquals("program.tiers.published", delivered.get("detail").get("type").asText());
        assertEquals(created.version(), delivered.get("detail").get("data").get("version").asLong());
        assertTrue(unpublished().stream().noneMatch(r -> r.eventId().equals(eventId)), "marked published");
        assertEquals(List.of(), bus().violations(), "valid against its schema");
    }
}
