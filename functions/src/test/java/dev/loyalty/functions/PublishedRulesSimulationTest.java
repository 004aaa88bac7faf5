package dev.loyalty.functions;

import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.rules.BusinessEvent;
import dev.loyalty.core.rules.RuleSet;
import dev.loyalty.core.rules.RulesReference;
import dev.loyalty.functions.program.EventResult;
import dev.loyalty.functions.program.EventService;
import dev.loyalty.functions.program.RuleSets;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.queue.QueueEarnService;
import dev.loyalty.functions.queue.SqsEvent;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random rule sets ({@link RulesReference#randomRules}, within the contract's limits),
 * PUBLISHED as the version in force, and seeded random business events of a few members over 40
 * days (late ones included: each counts against the caps of its own period), recorded on real
 * PostgreSQL in random chunks through the API's path ({@link EventService#record}) or the
 * queue's ({@link QueueEarnService#process}: the set-based batch, or one transaction per record
 * when a record is refused), and checked event by event against the reference model, which
 * recounts every cap from the history of earlier awards. The events occur after the version's
 * publication (the simulated clock runs ahead of the real one from it), so the published version
 * is the one in force for all of them. A failure names its seed; {@code -Dsimulation.pg.rules.seed=N}
 * replays one, {@code -Dsimulation.pg.rules.seeds=N} runs more.
 */
@QuarkusTest
@TestProfile(FunctionProfile.EarnQueue.class)
class PublishedRulesSimulationTest extends LedgerTestSupport {
    static final int STEPS = 150;

    @Inject
    Db db;
    @Inject
    RuleSets ruleSets;
    @Inject
    TierSets tierSets;
    @Inject
    EventService events;
    @Inject
    QueueEarnService queue;
    @Inject
    PointTypeCatalog catalog;

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    @Test
    void publishedRandomRuleSetsAgreeWithTheReferenceModel() {
        // The reference model earns at x1: the tier set in force must not multiply (other tests put the default back).
        assertTrue(tierSets.asOf(Instant.now()).tierSet().tiers().stream().allMatch(t -> t.earnMultiplierBp() == 10_000),
                "a tier set with multipliers is in force");
        long one = Long.getLong("simulation.pg.rules.seed", -1);
        int seeds = Integer.getInteger("simulation.pg.rules.seeds", 6);
        int[] totals = new int[4]; // events recorded, refused, queue chunks applied set-based, queue chunks
        for (long seed = one >= 0 ? one : 1; seed < (one >= 0 ? one + 1 : 1 + seeds); seed++) {
            try {
                run(seed, totals);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (replay with -Dsimulation.pg.rules.seed=" + seed + "): "
                        + e.getMessage(), e);
            } finally {
                TestClock.release();
            }
        }
        System.out.printf("published rules simulation: %d events recorded, %d refused; %d of %d queue chunks set-based%n",
                totals[0], totals[1], totals[2], totals[3]);
        assertTrue(totals[0] > 0 && totals[1] > 0 && totals[2] > 0, "the run recorded, refused and batched");
    }

    void run(long seed, int[] totals) {
        Random r = new Random(seed);
        RuleSet set = RulesReference.randomRules(r);
        Instant published = Instant.now();
        var created = assertInstanceOf(RuleSets.Published.Created.class,
                ruleSets.publish(set, published, published, "rules-simulation-" + seed));
        Instant base = created.effectiveFrom();
        String run = "rs" + seed + "-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> handled = java.util.stream.Stream.of("purchase", "sign_in").filter(set::handles).toList();
        List<BusinessEvent> script = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            String member = run + "-m" + r.nextInt(3);
            Instant at = base.plus(Duration.ofMinutes(1 + r.nextInt(60 * 24 * 40)));
            // Mostly events the set handles (a refused record sends its whole queue chunk one record at a time).
            String name = r.nextInt(10) == 0 ? (r.nextBoolean() ? "purchase" : "sign_in") : handled.get(r.nextInt(handled.size()));
            long amount = 1 + r.nextInt(100_000);
            Map<String, String> attributes = r.nextBoolean() ? Map.of("channel", "app") : Map.of("channel", "store");
            script.add(new BusinessEvent(member, name, "ref-" + step, at, amount, "EUR", attributes, null));
        }
        RulesReference reference = new RulesReference(catalog.programZone());
        Map<String, Long> balances = new HashMap<>();
        Instant now = base;
        int i = 0;
        while (i < script.size()) {
            List<BusinessEvent> chunk = script.subList(i, Math.min(script.size(), i + 1 + r.nextInt(15)));
            i += chunk.size();
            Instant latest = chunk.stream().map(BusinessEvent::occurredAt).max(Comparator.naturalOrder()).orElseThrow();
            now = (latest.isAfter(now) ? latest : now).plusSeconds(60);
            TestClock.pin(now);
            if (r.nextBoolean()) {
                for (BusinessEvent e : chunk) {
                    check(e, reference.next(set, e, e.occurredAt()), answer(events.record(e)), balances, totals);
                }
            } else {
                List<SqsEvent.Record> records = new ArrayList<>();
                for (BusinessEvent e : chunk) {
                    JsonObject body = new JsonObject().put("memberId", e.memberId()).put("event", e.event())
                            .put("reference", e.reference()).put("occurredAt", e.occurredAt().toString())
                            .put("amount", e.amount()).put("currency", e.currency())
                            .put("attributes", new JsonObject(new HashMap<>(e.attributes())));
                    records.add(new SqsEvent.Record(run + "-" + e.reference(), "h", body.encode(), Map.of(), "aws:sqs", null, null));
                }
                QueueEarnService.BatchReport report = queue.process(new SqsEvent(records));
                assertEquals(List.of(), report.retry());
                totals[3]++;
                totals[2] += report.batched() ? 1 : 0;
                // The queue applies a batch in member id order (stable): so does the model.
                for (BusinessEvent e : chunk.stream().sorted(Comparator.comparing(BusinessEvent::memberId)).toList()) {
                    check(e, reference.next(set, e, e.occurredAt()), stored(e), balances, totals);
                }
            }
        }
        for (var b : balances.entrySet()) {
            long stored = db.read(tx -> tx.query("SELECT balance FROM accounts WHERE member_id = $1", b.getKey())
                    .iterator().next().getLong(0));
            assertEquals(b.getValue().longValue(), stored, "balance of " + b.getKey());
            assertTrue(reference.capsHold(set, b.getKey()));
        }
    }

    /** Expected null: refused (nothing recorded); otherwise the awards by rule id, exactly. */
    static void check(BusinessEvent e, Map<String, Long> expected, Optional<Map<String, Object>> answer,
                      Map<String, Long> balances, int[] totals) {
        if (expected == null) {
            assertEquals(Optional.empty(), answer, "refused: " + e);
            totals[1]++;
            return;
        }
        assertTrue(answer.isPresent(), "recorded: " + e);
        Map<String, Long> actual = new HashMap<>();
        for (Object a : (List<?>) answer.get().get("awards")) {
            Map<?, ?> award = a instanceof JsonObject j ? j.getMap() : (Map<?, ?>) a;
            actual.put((String) award.get("ruleId"), ((Number) award.get("points")).longValue());
        }
        assertEquals(expected, actual, e.toString());
        balances.merge(e.memberId(), expected.values().stream().mapToLong(Long::longValue).sum(), Long::sum);
        totals[0]++;
    }

    static Optional<Map<String, Object>> answer(EventResult r) {
        return switch (r) {
            case EventResult.Recorded x -> Optional.of(x.answer());
            case EventResult.AlreadyRecorded x -> throw new AssertionError("a fresh reference was replayed");
            case EventResult.Refused x -> {
                assertInstanceOf(Refusal.UnknownEvent.class, x.refusal());
                yield Optional.empty();
            }
        };
    }

    /** The answer the ledger stored for the event (what a retry would get), if it was recorded. */
    Optional<Map<String, Object>> stored(BusinessEvent e) {
        return db.read(tx -> {
            var it = tx.query("SELECT answer::text FROM business_events WHERE member_id = $1 AND reference = $2",
                    e.memberId(), e.reference()).iterator();
            return it.hasNext() ? Optional.of(new JsonObject(it.next().getString(0)).getMap()) : Optional.empty();
        });
    }
}
