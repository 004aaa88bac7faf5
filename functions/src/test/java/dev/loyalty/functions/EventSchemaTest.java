package dev.loyalty.functions;

import dev.loyalty.core.events.EventType;
import dev.loyalty.functions.events.EventBus;
import dev.loyalty.functions.store.OutboxEvent;
import dev.loyalty.functions.store.Tx;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every event is valid against its JSON Schema in {@code events/schemas/events/}: every entry the
 * EventBridge stand-in received in this test JVM (it validates each on receipt), and every event
 * in the outbox table, published or not, written by any test that ran before this one on the
 * shared PostgreSQL, as the {@code Detail} the publisher builds.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Notices.class)
class EventSchemaTest extends SpendingSupport {

    @ConfigProperty(name = "loyalty.events.endpoint")
    String busEndpoint;

    @Test
    void everyEventTheSuiteEmittedIsValidAgainstItsSchema() {
        String m = newMember();
        seed(m, 10, "PURCHASE", null); // at least one event, whatever ran before
        List<OutboxEvent> all = PostgresResource.owner().read(tx -> tx.list(
                "SELECT member_id, sequence, event_id, type, occurred_at, recorded_at, data::text AS data FROM outbox",
                r -> new OutboxEvent(r.getString("member_id"), r.getLong("sequence"), r.getUUID("event_id"), r.getString("type"),
                        Tx.instant(r, "occurred_at"), Tx.instant(r, "recorded_at"), r.getString("data"))));
        assertFalse(all.isEmpty());
        List<String> problems = new ArrayList<>();
        for (OutboxEvent e : all) {
            EventBusResource.validate(e.type(), EventBus.detail(e)).forEach(p -> problems.add(e.type() + " " + e.eventId() + ": " + p));
        }
        assertEquals(List.of(), problems, "outbox events (" + all.size() + ") against their schemas");
        assertEquals(List.of(), new Bus(busEndpoint).violations(), "entries the bus received against their schemas");
    }

    @Test
    void theSchemasRejectWhatTheContractForbids() {
        String valid = "{\"eventId\":\"6f1c2a9e-8d7b-4c3a-9e2f-1a2b3c4d5e6f\",\"type\":\"points.expiring\",\"memberId\":\"m-1\","
                + "\"sequence\":3,\"occurredAt\":\"2026-12-01T00:00:00Z\",\"recordedAt\":\"2026-12-01T00:00:00Z\","
                + "\"data\":{\"lotId\":\"6f1c2a9e-8d7b-4c3a-9e2f-1a2b3c4d5e6f\",\"pointType\":\"SIGN_IN\",\"points\":5,"
                + "\"expiresAt\":\"2026-12-20T23:59:59Z\"}}";
        assertEquals(List.of(), EventBusResource.validate("points.expiring", valid));
        assertFalse(EventBusResource.validate("points.expiring", valid.replace("\"sequence\":3", "\"sequence\":0")).isEmpty());
        assertFalse(EventBusResource.validate("points.expiring", valid.replace("\"points\":5,", "")).isEmpty());
        assertFalse(EventBusResource.validate("points.earned", valid).isEmpty(), "a type's schema fixes its type");
        for (EventType t : EventType.values()) {
            assertTrue(EventBusResource.schemas().containsKey(t.wireName()), "a schema for " + t.wireName());
        }
    }
}
