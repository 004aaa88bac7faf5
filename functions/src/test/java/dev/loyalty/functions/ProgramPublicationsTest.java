package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishing rule and tier sets as writes like every other: behind the Idempotency-Key (a
 * replay answers the same 201, marked replayed, and publishes nothing), and each new version
 * with exactly one {@code program.rules.published} / {@code program.tiers.published} event in
 * the outbox, written in the same transaction, in the program's own ordered stream
 * ({@code _program}), and delivered to the bus in that order.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class ProgramPublicationsTest extends LedgerTestSupport {
    static final String RULES = BusinessEventsTest.RULES;
    static final String TIERS = """
            {"qualifying":{"window":"ROLLING_12_MONTHS","pointTypes":["PURCHASE"]},
             "tiers":[{"name":"MEMBER","threshold":0}],"downgrade":{"graceDays":0}}""";

    @Inject
    Db db;
    @ConfigProperty(name = "loyalty.events.endpoint")
    String busEndpoint;

    record ProgramEvent(long sequence, String eventId, String type, long version, String effectiveFrom, String publishedBy) {
    }

    List<ProgramEvent> programEvents() {
        return db.read(tx -> tx.list("SELECT sequence, event_id, type, (data->>'version')::bigint AS version,"
                        + " data->>'effectiveFrom' AS effective_from, data->>'publishedBy' AS published_by"
                        + " FROM outbox WHERE member_id = $1 ORDER BY sequence",
                r -> new ProgramEvent(r.getLong("sequence"), r.getUUID("event_id").toString(), r.getString("type"),
                        r.getLong("version"), r.getString("effective_from"), r.getString("published_by")),
                MemberId.PROGRAM_STREAM));
    }

    long count(String table) {
        return db.read(tx -> tx.query("SELECT count(*) FROM " + table).iterator().next().getLong(0));
    }

    static JsonNode put(String sample, String body, String key) {
        ObjectNode e = Lambda.sample(sample);
        e.put("body", body);
        ObjectNode headers = (ObjectNode) e.get("headers");
        headers.remove("content-length");
        if (key == null) {
            headers.remove("idempotency-key");
        } else {
            headers.put("idempotency-key", key);
        }
        return Lambda.invoke(e);
    }

    @Test
    void aReplayedRulesPublicationAnswersTheSame201AndPublishesOnce() {
        long versions = count("rule_sets");
        int events = programEvents().size();
        String key = "rules-" + UUID.randomUUID();

        JsonNode first = put("api/rules-publish.json", RULES, key);
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        assertNull(ApiEvents.headers(first).get("idempotent-replayed"));
        long version = body(first).get("version").asLong();

        JsonNode again = put("api/rules-publish.json", RULES, key);
        assertEquals(201, again.get("statusCode").asInt(), again.toString());
        assertEquals("true", ApiEvents.headers(again).get("idempotent-replayed"));
        assertEquals(body(first), body(again), "the same answer");
        assertEquals(versions + 1, count("rule_sets"), "one version, not two");

        List<ProgramEvent> after = programEvents();
        assertEquals(events + 1, after.size(), "exactly one event for the one publication");
        ProgramEvent published = after.get(after.size() - 1);
        assertEquals("program.rules.published", published.type());
        assertEquals(version, published.version());
        assertEquals(body(first).get("effectiveFrom").asText(), published.effectiveFrom());
        assertEquals("ops-alice", published.publishedBy(), "the sample's admin");

        // The same key with another document: refused, nothing published.
        JsonNode reused = put("api/rules-publish.json", RULES.replace("\"points\":5", "\"points\":6"), key);
        assertEquals(422, reused.get("statusCode").asInt(), reused.toString());
        assertEquals("IDEMPOTENCY_KEY_REUSED", body(reused).get("code").asText());
        // No key at all: refused before anything runs.
        JsonNode keyless = put("api/rules-publish.json", RULES, null);
        assertEquals(400, keyless.get("statusCode").asInt(), keyless.toString());
        assertEquals("IDEMPOTENCY_KEY_MISSING", body(keyless).get("code").asText());
        assertEquals(versions + 1, count("rule_sets"));
        assertEquals(events + 1, programEvents().size());
    }

    @Test
    void aReplayedTierPublicationAnswersTheSame201AndARefusedOneEmitsNothing() {
        long versions = count("tier_sets");
        int events = programEvents().size();
        String key = "tiers-" + UUID.randomUUID();
        JsonNode first = put("api/tiers-publish.json", TIERS, key);
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        JsonNode again = put("api/tiers-publish.json", TIERS, key);
        assertEquals(201, again.get("statusCode").asInt(), again.toString());
        assertEquals("true", ApiEvents.headers(again).get("idempotent-replayed"));
        assertEquals(body(first), body(again));
        assertEquals(versions + 1, count("tier_sets"));
        List<ProgramEvent> after = programEvents();
        assertEquals(events + 1, after.size());
        assertEquals("program.tiers.published", after.get(after.size() - 1).type());
        assertEquals(body(first).get("version").asLong(), after.get(after.size() - 1).version());

        // Earlier than the latest version: 409 RULES_VERSION_CONFLICT, no version, no event.
        Instant from = Instant.parse(body(first).get("effectiveFrom").asText());
        JsonNode conflict = put("api/tiers-publish.json", TIERS.replaceFirst("\\{", "{\"effectiveFrom\":\"" + from.minusSeconds(60) + "\","),
                "tiers-" + UUID.randomUUID());
        assertEquals(409, conflict.get("statusCode").asInt(), conflict.toString());
        assertEquals("RULES_VERSION_CONFLICT", body(conflict).get("code").asText());
        assertEquals(versions + 1, count("tier_sets"));
        assertEquals(events + 1, programEvents().size());
    }

    @Test
    void programEventsAreOneStreamNumberedInCommitOrderAndDeliveredInThatOrder() {
        int before = programEvents().size();
        for (int i = 0; i < 3; i++) {
            assertEquals(201, put("api/rules-publish.json", RULES, UUID.randomUUID().toString()).get("statusCode").asInt());
            assertEquals(201, put("api/tiers-publish.json", TIERS, UUID.randomUUID().toString()).get("statusCode").asInt());
        }
        List<ProgramEvent> all = programEvents();
        assertEquals(before + 6, all.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).sequence(), "the _program stream is numbered 1, 2, 3, ... with no gap");
        }
        List<String> mine = all.subList(before, all.size()).stream().map(ProgramEvent::type).toList();
        assertEquals(List.of("program.rules.published", "program.tiers.published", "program.rules.published",
                "program.tiers.published", "program.rules.published", "program.tiers.published"), mine);

        // Delivered right after commit, in the stream's order, with the outbox's event ids.
        List<JsonNode> received = new Bus(busEndpoint).received(MemberId.PROGRAM_STREAM);
        List<String> receivedIds = new ArrayList<>();
        List<Long> receivedSequences = new ArrayList<>();
        received.forEach(r -> {
            receivedIds.add(r.get("detail").get("eventId").asText());
            receivedSequences.add(r.get("detail").get("sequence").asLong());
        });
        for (ProgramEvent e : all.subList(before, all.size())) {
            assertTrue(receivedIds.contains(e.eventId()), "delivered: " + e);
        }
        List<Long> sorted = new ArrayList<>(receivedSequences);
        sorted.sort(null);
        assertEquals(sorted, receivedSequences, "delivered in sequence order");
        long unpublished = db.read(tx -> tx.query("SELECT count(*) FROM outbox WHERE member_id = $1 AND published_at IS NULL",
                MemberId.PROGRAM_STREAM).iterator().next().getLong(0));
        assertEquals(0, unpublished, "every program event marked published");
    }

    @Test
    void noMemberMayTakeTheProgramStreamsId() {
        assertFalse(MemberId.isValid(MemberId.PROGRAM_STREAM));
        JsonNode earn = Lambda.invoke(ApiEvents.earn(MemberId.PROGRAM_STREAM,
                "{\"points\":5,\"type\":\"PROMO\",\"reference\":\"p-1\"}", UUID.randomUUID().toString()));
        assertEquals(400, earn.get("statusCode").asInt(), earn.toString());
        long accounts = db.read(tx -> tx.query("SELECT count(*) FROM accounts WHERE member_id = $1", MemberId.PROGRAM_STREAM)
                .iterator().next().getLong(0));
        assertEquals(0, accounts, "no account for the program's stream");
    }
}
