package dev.loyalty.core.simulation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure core against the reference model, on every seed of a fixed range so CI is
 * repeatable. {@code -Dsimulation.seeds=N -Dsimulation.ops=M} runs longer;
 * {@code -Dsimulation.seed=S} replays one seed (with the ops of the failed run).
 */
class CoreSimulationTest {

    static final int SEEDS_DEFAULT = 2_000;
    static final int OPS_DEFAULT = 200;

    @Test
    void coreAgreesWithTheReferenceModelOnEverySeed() {
        int ops = Integer.getInteger("simulation.ops", OPS_DEFAULT);
        String one = System.getProperty("simulation.seed");
        long first = one == null ? 1 : Long.parseLong(one);
        long seeds = one == null ? Long.getLong("simulation.seeds", SEEDS_DEFAULT) : 1;

        long started = System.nanoTime();
        // Seeds share nothing, so they run in parallel; each one is still fully deterministic.
        List<Simulation.Report> reports = LongStream.range(first, first + seeds).parallel()
                .mapToObj(seed -> Simulation.run(seed, ops, new CoreLedger(seed)))
                .toList();
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        long operations = 0;
        Map<String, Long> rejections = new TreeMap<>();
        for (Simulation.Report report : reports) {
            operations += report.operations();
            report.rejectionsByCode().forEach((code, count) -> rejections.merge(code, (long) count, Long::sum));
        }
        long rejected = rejections.values().stream().mapToLong(Long::longValue).sum();
        System.out.println("core simulation: " + seeds + " seeds x " + ops + " ops, " + operations + " operations, "
                + rejected + " rejections by code " + rejections + " (" + elapsedMs + " ms)");
        assertEquals(seeds, reports.size());
        assertTrue(operations > 0);
        if (one == null && seeds >= 100) {
            // A workload that stopped reaching a rule would pass silently: make sure every refusal occurs.
            for (String code : List.of("VALIDATION_FAILED", "UNKNOWN_POINT_TYPE", "MEMBER_NOT_FOUND",
                    "INSUFFICIENT_POINTS", "HOLD_NOT_FOUND", "HOLD_NOT_ACTIVE", "TRANSACTION_NOT_FOUND", "NOT_REVERSIBLE")) {
                assertTrue(rejections.getOrDefault(code, 0L) > 0, "the workload never produced " + code);
            }
        }
    }

    @Test
    void aSeedReplaysExactly() {
        Simulation.Report first = Simulation.run(42, 300, new CoreLedger(42));
        Simulation.Report again = Simulation.run(42, 300, new CoreLedger(42));
        assertEquals(first, again);
    }
}
