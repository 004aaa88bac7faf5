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
                    "INSUFFICIENT_POINTS", "HOLD_NOT_FOUND", "HOLD_NOT_ACTIVE", "TRANSACTION_NOT_FOUND", "NOT_REVERSIBLE",
                    "EVENT_NOT_FOUND", "RETURN_EXCEEDS_PURCHASE")) {
                assertTrue(rejections.getOrDefault(code, 0L) > 0, "the workload never produced " + code);
            }
        }
    }

    /**
     * The workload reaches what returns and pending points are about: returns that take from the
     * award's own lot, from other lots, and that leave a shortfall; pending lots spent once their
     * window ended; and a pending lot is never spent before (the model and the invariants check
     * each step; this checks the steps happen).
     */
    @Test
    void theWorkloadReachesReturnsAndPendingLots() {
        long returnsFromOwnLot = 0, returnsFromOtherLots = 0, pendingLotsSpent = 0, purchases = 0;
        for (long seed = 1; seed <= 300; seed++) {
            CoreLedger ledger = new CoreLedger(seed);
            Simulation.run(seed, OPS_DEFAULT, ledger);
            for (int m = 1; m <= 6; m++) {
                Snapshot s = ledger.snapshot("s" + seed + "-m" + m, Simulation.START);
                java.util.Map<java.util.UUID, Snapshot.LotView> lots = new java.util.HashMap<>();
                s.lots().forEach(l -> lots.put(l.lotId(), l));
                for (Snapshot.EntryView e : s.entries()) {
                    for (dev.loyalty.core.spend.Allocation a : e.allocations()) {
                        Snapshot.LotView lot = lots.get(a.lotId());
                        if (e.kind() == dev.loyalty.core.EntryKind.RETURN) {
                            if (lot.sourceEntryId().equals(e.reversesId())) {
                                returnsFromOwnLot++;
                            } else {
                                returnsFromOtherLots++;
                            }
                        } else if (e.points() < 0 && e.kind() != dev.loyalty.core.EntryKind.EXPIRE
                                && lot.pendingUntil() != null) {
                            pendingLotsSpent++;
                        }
                    }
                }
                purchases += s.lots().stream().filter(l -> l.pendingUntil() != null).count();
            }
        }
        System.out.printf("returns: %d from own lots, %d from other lots; %d pending lots, %d spends of them%n",
                returnsFromOwnLot, returnsFromOtherLots, purchases, pendingLotsSpent);
        assertTrue(purchases > 0 && returnsFromOwnLot > 0 && returnsFromOtherLots > 0 && pendingLotsSpent > 0);
    }

    @Test
    void aSeedReplaysExactly() {
        Simulation.Report first = Simulation.run(42, 300, new CoreLedger(42));
        Simulation.Report again = Simulation.run(42, 300, new CoreLedger(42));
        assertEquals(first, again);
    }
}
