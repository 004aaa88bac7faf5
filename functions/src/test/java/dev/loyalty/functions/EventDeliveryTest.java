package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.events.OutboxRelay;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery under failure, on the real PostgreSQL, the real SDK client and the PutEvents
 * stand-in: a publish that fails after commit is delivered by the relay (the outbox-relay Lambda
 * through its handler) with its eventId unchanged; a burst with half the entries failing ends
 * with every event on the bus, each member's in sequence order without gaps, duplicates only
 * with equal eventIds; published rows go after the retention period.
 */
@QuarkusTest
@TestProfile(FunctionProfile.OutboxRelayJob.class)
class EventDeliveryTest extends SpendingSupport {

    @ConfigProperty(name = "loyalty.events.endpoint")
    String busEndpoint;
    @Inject
    OutboxRelay relay;

    Bus bus() {
        return new Bus(busEndpoint);
    }

    @AfterEach
    void healAndValid() {
        bus().heal();
        assertEquals(List.of(), bus().violations(), "every event valid against its JSON Schema");
    }

    record Row(long sequence, String eventId, boolean published) {
    }

    List<Row> outbox(String member) {
        return db.read(tx -> tx.list("SELECT sequence, event_id, published_at IS NOT NULL AS p FROM outbox WHERE member_id = $1"
                + " ORDER BY sequence", r -> new Row(r.getLong("sequence"), r.getUUID("event_id").toString(), r.getBoolean("p")), member));
    }

    JsonNode relayOnce() {
        return Lambda.invoke(Lambda.sample("scheduled/outbox-relay.json"));
    }

    @Test
    void aPublishThatFailsAfterCommitIsDeliveredByTheRelayWithTheSameEventId() {
        String m = newMember();
        bus().fail(0, 1, true); // EventBridge down: every PutEvents fails
        long start = System.nanoTime();
        seed(m, 10, "PURCHASE", null);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 5_000, "a stalled bus must not hold a committed write: " + tookMs + " ms");
        List<Row> rows = outbox(m);
        assertEquals(1, rows.size());
        assertTrue(!rows.get(0).published(), "not published");
        assertEquals(List.of(), bus().received(m), "nothing reached the bus");

        JsonNode down = relayOnce();
        assertEquals(false, down.get("finished").asBoolean(), down.toString());
        assertTrue(down.get("unpublishedLeft").asLong() >= 1);
        assertTrue(down.get("oldestUnpublishedAgeSeconds").isNumber(), down.toString());

        bus().heal();
        JsonNode report = relayOnce();
        assertTrue(report.get("published").asLong() >= 1, report.toString());
        List<JsonNode> got = bus().received(m);
        assertEquals(1, got.size(), got.toString());
        assertEquals(rows.get(0).eventId(), got.get(0).get("detail").get("eventId").asText(), "the eventId never changes");
        assertTrue(outbox(m).get(0).published());
        assertEquals(0, relayOnce().get("unpublishedLeft").asLong(), "nothing left behind");
    }

    /** 1,000 earns over 50 members on 4 threads, PutEvents failing half the entries, two relays running alongside. */
    @Test
    void aBurstWithHalfThePublishesFailingLosesNothingAndKeepsEachMembersOrder() throws Exception {
        int membersN = 50;
        int perMember = 20;
        List<String> members = new ArrayList<>();
        for (int i = 0; i < membersN; i++) {
            members.add(newMember());
        }
        bus().fail(0.5, 42, false);
        ClassLoader app = Thread.currentThread().getContextClassLoader();
        ExecutorService pool = Executors.newFixedThreadPool(6, r -> {
            Thread t = new Thread(r);
            t.setContextClassLoader(app); // as Lambda's runtime thread carries the application's
            return t;
        });
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                writes.add(pool.submit(() -> {
                    for (int k = worker; k < membersN * perMember; k += 4) {
                        String member = members.get(k % membersN);
                        EarnResult r = earnService.earn(new EarnCommand(member, 1 + k % 7, "PURCHASE", "burst-" + k, null, null));
                        assertInstanceOf(EarnResult.Applied.class, r);
                    }
                }));
            }
            // Two relays at once while the burst runs (SKIP LOCKED: neither waits, neither reorders).
            List<Future<?>> relays = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                relays.add(pool.submit(() -> {
                    while (writes.stream().anyMatch(f -> !f.isDone())) {
                        relay.run(7, 200, 2_000);
                    }
                }));
            }
            for (Future<?> f : writes) {
                f.get();
            }
            for (Future<?> f : relays) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // The scheduled relay until the outbox of these members is drained (still failing half the entries).
        for (int i = 0; i < 60 && members.stream().anyMatch(m -> outbox(m).stream().anyMatch(r -> !r.published())); i++) {
            relayOnce();
        }
        int duplicates = 0;
        for (String m : members) {
            List<Row> rows = outbox(m);
            assertEquals(perMember, rows.size());
            Map<Long, String> ids = new HashMap<>();
            rows.forEach(r -> {
                assertTrue(r.published(), m + " " + r);
                ids.put(r.sequence(), r.eventId());
            });
            long highest = 0;
            for (JsonNode e : bus().received(m)) {
                long seq = e.get("detail").get("sequence").asLong();
                String id = e.get("detail").get("eventId").asText();
                assertEquals(ids.get(seq), id, m + ": sequence " + seq + " always carries its eventId");
                if (seq <= highest) {
                    duplicates++; // a redelivery: allowed, with its eventId (checked above)
                } else {
                    assertEquals(highest + 1, seq, m + ": first deliveries in order without gaps");
                    highest = seq;
                }
            }
            assertEquals(perMember, highest, m + ": every event on the bus");
        }
        System.out.printf("burst: %d members x %d events, %d duplicates on the bus%n", membersN, perMember, duplicates);
    }

    @Test
    void publishedEventsAreRemovedAfterTheRetentionPeriod() {
        String m = newMember();
        seed(m, 5, "PURCHASE", null);
        seed(m, 6, "PURCHASE", null);
        assertTrue(outbox(m).stream().allMatch(Row::published));
        PostgresResource.owner().inTransaction(tx -> tx.query(
                "UPDATE outbox SET published_at = now() - interval '8 days' WHERE member_id = $1 AND sequence = 1", m));
        JsonNode report = relayOnce();
        assertTrue(report.get("deleted").asLong() >= 1, report.toString());
        assertEquals(List.of(2L), outbox(m).stream().map(Row::sequence).toList(), "the old published row is gone, the recent one kept");
    }

    @Test
    void anUnpublishedEarlierEventHoldsBackTheAfterCommitPublishOfLaterOnes() {
        String m = newMember();
        bus().fail(0, 1, true);
        seed(m, 5, "PURCHASE", null);          // sequence 1: its publish fails
        bus().heal();
        seed(m, 6, "PURCHASE", null);          // sequence 2: published after 1, by the same publisher
        List<JsonNode> got = bus().received(m);
        assertEquals(List.of(1L, 2L), got.stream().map(e -> e.get("detail").get("sequence").asLong()).toList(),
                "the write's publisher catches up the older event first");
        assertTrue(outbox(m).stream().allMatch(Row::published));
    }
}
