package dev.loyalty.core.rules;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded workload of random rule sets (within the contract's limits) and random business
 * events of a few members over a few weeks, late events included, run through the engine with
 * cap usage accumulated from its own charges (as storage does), and checked after every event
 * against a reference model that recounts each cap from the history of earlier awards. A failure
 * prints its seed; {@code -Dsimulation.rules.seeds=N} runs more, {@code -Dsimulation.rules.seed=S} one.
 */
class RulesSimulationTest {
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    static final Instant START = Instant.parse("2026-12-20T00:00:00Z");

    @Test
    void randomRuleSetsAndEventsAgreeWithTheReferenceModel() {
        long one = Long.getLong("simulation.rules.seed", -1);
        int seeds = Integer.getInteger("simulation.rules.seeds", 300);
        for (long seed = one >= 0 ? one : 0; seed < (one >= 0 ? one + 1 : seeds); seed++) {
            try {
                run(seed);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (replay with -Dsimulation.rules.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    static void run(long seed) {
        Random r = new Random(seed);
        RuleSet set = RulesReference.randomRules(r);
        // What storage holds: per (member, rule, period, start) the charges' sums.
        Map<String, CapUsage.Used> stored = new HashMap<>();
        RulesReference reference = new RulesReference(ZONE);
        for (int step = 0; step < 150; step++) {
            String member = "m" + r.nextInt(3);
            Instant at = START.plus(Duration.ofMinutes(r.nextInt(60 * 24 * 40)));
            String name = r.nextBoolean() ? "purchase" : "sign_in";
            long amount = 1 + r.nextInt(100_000);
            Map<String, String> attributes = r.nextBoolean() ? Map.of("channel", "app") : Map.of("channel", "store");
            BusinessEvent e = new BusinessEvent(member, name, "ref-" + step, at, amount, "EUR", attributes, null);
            Map<CapUsage.Key, CapUsage.Used> usage = new HashMap<>();
            for (Rule rule : set.rules()) {
                for (CapPeriod p : CapPeriod.values()) {
                    CapUsage.Used u = stored.get(member + "|" + rule.id() + "|" + p + "|" + p.start(at, ZONE));
                    if (u != null) {
                        usage.put(new CapUsage.Key(rule.id(), p), u);
                    }
                }
            }
            EvaluationOutcome outcome = RulesEngine.evaluate(set, 1, Tier.MEMBER, new CapUsage(usage), e, at, ZONE);
            // The reference model: recount every cap from the history.
            Map<String, Long> expected = reference.next(set, e, at);
            if (expected == null) {
                assertTrue(outcome instanceof EvaluationOutcome.Refused);
                continue;
            }
            Evaluation ev = ((EvaluationOutcome.Evaluated) outcome).evaluation();
            Map<String, Long> actual = new HashMap<>();
            ev.awards().forEach(a -> actual.put(a.ruleId(), a.points()));
            assertEquals(expected, actual, "step " + step + " " + e);
            for (CapCharge c : ev.charges()) {
                stored.merge(member + "|" + c.ruleId() + "|" + c.period() + "|" + c.periodStart(),
                        new CapUsage.Used(c.points(), c.events()),
                        (x, y) -> new CapUsage.Used(x.points() + y.points(), x.events() + y.events()));
            }
            // Invariant: no period of any capped rule ever holds more than its cap.
            assertTrue(reference.capsHold(set, member), "cap exceeded");
        }
    }
}
