package dev.loyalty.functions;

import dev.loyalty.core.rules.BusinessEvent;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.functions.program.EventResult;
import dev.loyalty.functions.program.EventService;
import dev.loyalty.functions.program.RuleSets;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue's set-based path for business events ({@link EventService#applyBatch}) against the
 * same events applied one by one ({@link EventService#apply}, one transaction each) on real
 * PostgreSQL: twin members, one fed the batch and one fed the events in turn, must end with the
 * same answers, balances, entries, lots, cap usage, qualifying days, tier record and history,
 * event rows and outbox events (ids aside). The batch takes two round trips whatever its size.
 */
@QuarkusTest
@TestProfile(FunctionProfile.EarnQueue.class)
class BusinessEventsBatchTest extends LedgerTestSupport {
    /** No split experiment (a member's variant depends on its id, and twins have different ids): "on" for all. */
    static final String RULES = """
            {"rules":[{"id":"buy","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,
                       "caps":[{"period":"DAY","maxPoints":500}]},
                      {"id":"big","event":"big_purchase","pointType":"PURCHASE","points":1,"perAmount":100},
                      {"id":"sign-in","event":"sign_in","pointType":"SIGN_IN","points":5,
                       "caps":[{"period":"DAY","maxEvents":1}]},
                      {"id":"silver-bonus","event":"purchase","pointType":"BONUS","points":10,
                       "when":{"tiers":["SILVER","GOLD"]}},
                      {"id":"app-bonus","event":"purchase","pointType":"BONUS","points":4,
                       "when":{"variant":{"experiment":"boost","is":"on"}}}],
             "experiments":[{"id":"boost","variants":{"off":0,"on":100}}]}""";
    /** The version before: 2 points per unit, no bonus. */
    static final String OLD_RULES = """
            {"rules":[{"id":"buy","event":"purchase","pointType":"PURCHASE","points":2,"perAmount":100,
                       "caps":[{"period":"DAY","maxPoints":500}]}]}""";

    @Inject
    Db db;
    @Inject
    EventService events;
    @Inject
    RuleSets ruleSets;
    @Inject
    TierSets tierSets;

    @AfterEach
    void defaultTiersAgain() {
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.DEFAULT, Instant.now());
    }

    void publishRules(String document, Instant from) {
        var parsed = (RuleSetParser.Result.Parsed) ruleSets.parse(new JsonObject(document).getMap());
        assertInstanceOf(RuleSets.Published.Created.class, ruleSets.publish(parsed.ruleSet(), from, from, "batch-test"));
    }

    static BusinessEvent purchase(String member, String reference, long amount, Instant occurredAt) {
        return new BusinessEvent(member, "purchase", reference, occurredAt, amount, "EUR", null, null);
    }

    static BusinessEvent event(String member, String name, String reference, Long amount) {
        return new BusinessEvent(member, name, reference, null, amount, null, null, null);
    }

    /** The script of one member's events, for a given member id. */
    interface Script {
        List<BusinessEvent> of(String member);
    }

    @Test
    void aBatchEndsExactlyAsTheSameEventsOneByOne() {
        // Tiers: SILVER from 1000 qualifying PURCHASE points (x1.25); rules: an old version in
        // force from t0, the current one from t0 + 1 ms.
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now());
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusMillis(5);
        publishRules(OLD_RULES, t0);
        publishRules(RULES, t0.plusMillis(1));
        while (!Instant.now().isAfter(t0.plusMillis(2))) {
            Thread.onSpinWait();
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        // Each script: [member's events]; the first event of "late" is recorded before the batch.
        Map<String, Script> scripts = new java.util.LinkedHashMap<>();
        // Caps reached inside the batch: 300 + 200 (cut: capped) + 0 of the DAY's 500; sign-in once a day.
        scripts.put("caps", m -> List.of(purchase(m, "c-1", 30_000, null), purchase(m, "c-2", 30_000, null),
                purchase(m, "c-3", 10_000, null), event(m, "sign_in", "s-1", null), event(m, "sign_in", "s-2", null)));
        // A tier crossing inside the batch: 1500 PURCHASE points make the member SILVER, so its next
        // purchase earns x1.25 and the SILVER bonus.
        scripts.put("tier", m -> List.of(event(m, "big_purchase", "b-1", 150_000L), purchase(m, "p-1", 10_000, null)));
        // A duplicate (recorded before the batch), a late event under the older version, a new one.
        scripts.put("late", m -> List.of(purchase(m, "d-1", 1_000, null), purchase(m, "l-1", 5_000, t0),
                purchase(m, "n-1", 2_000, null)));
        Instant now = Instant.now();
        List<String> batchMembers = new ArrayList<>();
        List<String> soloMembers = new ArrayList<>();
        List<EventService.BatchItem> items = new ArrayList<>();
        List<BusinessEvent> solo = new ArrayList<>();
        Map<String, Object> firstAnswer = null;
        for (String name : scripts.keySet()) {
            String b = "bt-" + name + "-b-" + suffix;
            String s = "bt-" + name + "-s-" + suffix;
            batchMembers.add(b);
            soloMembers.add(s);
            List<BusinessEvent> mine = scripts.get(name).of(b);
            List<BusinessEvent> theirs = scripts.get(name).of(s);
            if (name.equals("late")) {
                // Recorded before: the batch's copy is a redelivery.
                var first = (EventResult.Recorded) db.inTransaction(tx -> events.apply(tx, mine.get(0), now));
                firstAnswer = first.answer();
                assertInstanceOf(EventResult.Recorded.class, db.inTransaction(tx -> events.apply(tx, theirs.get(0), now)));
            }
            mine.forEach(e -> items.add(new EventService.BatchItem(e, null)));
            solo.addAll(theirs);
        }
        List<EventResult> batched = db.inTransaction(tx -> events.applyBatch(tx, items, now));
        assertEquals(2, Db.lastRoundTrips(), "a batch is two round trips");
        List<EventResult> oneByOne = new ArrayList<>();
        for (BusinessEvent e : solo) {
            oneByOne.add(db.inTransaction(tx -> events.apply(tx, e, now)));
        }

        // The same answers, event by event (ids aside); the duplicate answers as it did first.
        assertEquals(items.size(), batched.size());
        for (int i = 0; i < batched.size(); i++) {
            assertEquals(oneByOne.get(i).getClass(), batched.get(i).getClass(), "event " + i);
            assertEquals(normalized(answer(oneByOne.get(i))), normalized(answer(batched.get(i))), "answer of event " + i);
        }
        assertInstanceOf(EventResult.AlreadyRecorded.class, batched.get(7));
        assertEquals(tree(firstAnswer), tree(answer(batched.get(7))), "a redelivered event answers exactly as it did first");

        // Worked numbers (batch side): caps cut inside the batch, the crossing's multiplier, the old version.
        List<Long> points = batched.stream().map(r -> ((Number) answer(r).get("points")).longValue()).toList();
        // caps: 300 + 4, 200 (capped) + 4, 0 + 4, 5, 0 (once a day); tier: 1500 at x1, then 100 + 10 + 4 at x1.25.
        assertEquals(List.of(304L, 204L, 4L, 5L, 0L, 1500L, 142L), points.subList(0, 7));
        Map<String, Object> capped = awards(batched.get(1)).get(0);
        assertEquals(200L, ((Number) capped.get("points")).longValue());
        assertEquals(true, capped.get("capped"));
        assertEquals("SILVER", answer(batched.get(6)).get("tier"));
        assertEquals(List.of("buy", "silver-bonus", "app-bonus"),
                awards(batched.get(6)).stream().map(a -> a.get("ruleId")).toList());
        long oldVersion = ((Number) answer(batched.get(8)).get("rulesVersion")).longValue();
        long newVersion = ((Number) answer(batched.get(9)).get("rulesVersion")).longValue();
        assertEquals(newVersion - 1, oldVersion, "the late event earns by the version in force at its occurredAt");
        assertEquals(100L, ((Number) answer(batched.get(8)).get("points")).longValue(), "5000 at 2 per 100");

        // The same stored state, member by member.
        for (int k = 0; k < batchMembers.size(); k++) {
            String b = batchMembers.get(k);
            String s = soloMembers.get(k);
            for (String sql : STATE) {
                assertEquals(rows(sql, s), rows(sql, b), b + ": " + sql);
            }
        }
        assertEquals(304 + 204 + 4 + 5, balance(batchMembers.get(0)));
        assertEquals(1500 + 142, balance(batchMembers.get(1)));
        assertEquals(List.of("MEMBER>SILVER QUALIFIED"), rowsOf("SELECT from_tier || '>' || to_tier || ' ' || reason"
                + " FROM member_tier_history WHERE member_id = $1 ORDER BY position", batchMembers.get(1)));
        // The outbox: each event's points.earned, then its own tier.changed, then the next event's.
        assertEquals(List.of("points.earned", "tier.changed", "points.earned", "points.earned", "points.earned"),
                rowsOf("SELECT type FROM outbox WHERE member_id = $1 ORDER BY sequence", batchMembers.get(1)));
    }

    @Test
    void aBatchIsTwoRoundTripsWhateverItsSizeAndARefusalWritesNothing() {
        // The rules name SILVER and GOLD: a tier set that has them must be in force first.
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now());
        publishRules(RULES, Instant.now());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        for (int size : new int[] {1, 10, 60}) {
            List<EventService.BatchItem> items = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                items.add(new EventService.BatchItem(purchase("rt-" + (i % 7) + "-" + suffix, "r-" + size + "-" + i, 1_000, null),
                        "msg-" + i));
            }
            List<EventService.BatchItem> ordered = items.stream()
                    .sorted(java.util.Comparator.comparing(i -> i.event().memberId())).toList();
            List<EventResult> results = db.inTransaction(tx -> events.applyBatch(tx, ordered, now));
            assertEquals(2, Db.lastRoundTrips(), "a batch of " + size);
            assertTrue(results.stream().allMatch(r -> r instanceof EventResult.Recorded), results.toString());
        }
        // 71 purchases of 10 + 4 points over 7 members.
        long total = 0;
        for (int m = 0; m < 7; m++) {
            total += balance("rt-" + m + "-" + suffix);
        }
        assertEquals(71 * 14, total);
        assertEquals(List.of("msg-0"), rowsOf("SELECT DISTINCT request_id FROM ledger_entries WHERE member_id = $1"
                + " AND reference = 'r-1-0'", "rt-0-" + suffix));

        // An event the rules refuse (no rule for its name) rolls the whole batch back.
        String m = "rt-refused-" + suffix;
        List<EventService.BatchItem> refused = List.of(new EventService.BatchItem(purchase(m, "ok-1", 1_000, null), null),
                new EventService.BatchItem(event(m, "no_such_event", "bad-1", null), null));
        var thrown = assertThrows(EventService.Rejected.class, () -> db.inTransaction(tx -> events.applyBatch(tx, refused, now)));
        assertInstanceOf(dev.loyalty.core.Refusal.UnknownEvent.class, thrown.refusal);
        assertEquals(List.of("0"), rowsOf("SELECT count(*) FROM business_events WHERE member_id = $1", m));
        assertEquals(List.of("0"), rowsOf("SELECT count(*) FROM accounts WHERE member_id = $1", m));
    }

    /** What each twin must have alike (ids and member ids left out; ordered). */
    static final List<String> STATE = List.of(
            "SELECT balance, version FROM accounts WHERE member_id = $1",
            "SELECT sequence, kind, points, balance_after, point_type, reference, description, occurred_at, rule_id,"
                    + " rules_version, variant FROM ledger_entries WHERE member_id = $1 ORDER BY sequence",
            "SELECT l.point_type, l.original_points, l.remaining_points, l.earned_at, l.expires_at, l.pending_until, e.sequence"
                    + " FROM lots l JOIN ledger_entries e ON e.member_id = l.member_id AND e.entry_id = l.source_entry_id"
                    + " WHERE l.member_id = $1 ORDER BY e.sequence",
            "SELECT rule_id, period, period_start, points, events FROM cap_usage WHERE member_id = $1"
                    + " ORDER BY rule_id, period, period_start",
            "SELECT day, point_type, points FROM qualifying_days WHERE member_id = $1 ORDER BY day, point_type",
            "SELECT tier, since, below_since, evaluated_at, tier_set_version, review_at FROM member_tiers WHERE member_id = $1",
            "SELECT position, from_tier, to_tier, at, reason FROM member_tier_history WHERE member_id = $1 ORDER BY position",
            "SELECT reference, event, occurred_at, recorded_at, rules_version, points, variants::text, amount, answer::text"
                    + " FROM business_events WHERE member_id = $1 ORDER BY reference",
            "SELECT sequence, type, occurred_at, data::text FROM outbox WHERE member_id = $1 ORDER BY sequence");

    /** The rows of {@code sql} for {@code member}, each as text, JSON values without ids. */
    List<String> rows(String sql, String member) {
        return db.read(tx -> {
            List<String> out = new ArrayList<>();
            for (Row r : tx.query(sql, member)) {
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < r.size(); i++) {
                    Object v = r.getValue(i);
                    if (v instanceof String text && text.startsWith("{")) {
                        v = normalized(new JsonObject(text).getMap());
                    }
                    values.add(v);
                }
                out.add(values.toString());
            }
            return out;
        });
    }

    List<String> rowsOf(String sql, String member) {
        return db.read(tx -> {
            List<String> out = new ArrayList<>();
            tx.query(sql, member).forEach(r -> out.add(String.valueOf(r.getValue(0))));
            return out;
        });
    }

    long balance(String member) {
        return db.read(tx -> tx.query("SELECT balance FROM accounts WHERE member_id = $1", member).iterator().next().getLong(0));
    }

    static Map<String, Object> answer(EventResult r) {
        return switch (r) {
            case EventResult.Recorded x -> x.answer();
            case EventResult.AlreadyRecorded x -> x.answer();
            case EventResult.Refused x -> throw new AssertionError(x.refusal().toString());
        };
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> awards(EventResult r) {
        return ((List<Object>) answer(r).get("awards")).stream()
                .map(a -> a instanceof JsonObject j ? j.getMap() : (Map<String, Object>) a).toList();
    }

    static com.fasterxml.jackson.databind.JsonNode tree(Map<String, Object> answer) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(io.vertx.core.json.Json.encode(answer));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static final Set<String> IDS = Set.of("memberId", "transactionId", "lotId", "eventId", "transactionIds");

    /** A JSON value with every id (and the member id) left out, for comparing twins. */
    static Object normalized(Object value) {
        if (value instanceof JsonObject j) {
            return normalized(j.getMap());
        }
        if (value instanceof JsonArray a) {
            return normalized(a.getList());
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.TreeMap<>();
            m.forEach((k, v) -> {
                if (!IDS.contains(String.valueOf(k))) {
                    out.put(String.valueOf(k), normalized(v));
                }
            });
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(BusinessEventsBatchTest::normalized).toList();
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        return value;
    }
}
