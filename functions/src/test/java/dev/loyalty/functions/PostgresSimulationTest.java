package dev.loyalty.functions;

import dev.loyalty.core.simulation.Simulation;
import dev.loyalty.functions.balance.BalanceQueries;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.schedule.ExpireSweep;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seeded simulation (shared-model's workload and reference model) against the real
 * services and schema on PostgreSQL. A failure names its seed; {@code -Dsimulation.pg.seed=N}
 * replays it, {@code -Dsimulation.pg.seeds} / {@code -Dsimulation.pg.ops} run it longer.
 */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class PostgresSimulationTest extends LedgerTestSupport {
    @Inject
    EarnService earn;
    @Inject
    SpendService spend;
    @Inject
    ExpireSweep sweep;
    @Inject
    BalanceQueries balances;
    @Inject
    Db db;
    @Inject
    dev.loyalty.core.PointTypeCatalog catalog;
    @Inject
    dev.loyalty.functions.rewards.RewardCatalog rewards;
    @Inject
    dev.loyalty.functions.rewards.RedemptionService redemptions;
    @Inject
    dev.loyalty.functions.program.EventService events;
    @Inject
    dev.loyalty.functions.program.TierSets tierSets;

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    @Test
    void seededWorkloadsMatchTheReferenceModel() {
        long first = Long.getLong("simulation.pg.seed", 9001);
        int seeds = Long.getLong("simulation.pg.seed") != null ? 1 : Integer.getInteger("simulation.pg.seeds", 6);
        int ops = Integer.getInteger("simulation.pg.ops", 150);
        PostgresLedger ledger = new PostgresLedger(earn, spend, sweep, balances, db, catalog, rewards, redemptions,
                events, tierSets);
        int operations = 0;
        java.util.Map<String, Integer> rejections = new java.util.TreeMap<>();
        for (long seed = first; seed < first + seeds; seed++) {
            Simulation.Report report = Simulation.run(seed, ops, ledger);
            operations += report.operations();
            report.rejectionsByCode().forEach((k, v) -> rejections.merge(k, v, Integer::sum));
        }
        System.out.printf("postgres simulation: seeds %d..%d x %d steps, %d operations, rejections %s%n",
                first, first + seeds - 1, ops, operations, rejections);
    }
}
