package dev.loyalty.functions.schedule;

import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerChecks;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reconciliation: every invariant of the ledger checked in set-based SQL, plus the system
 * totals (issued - redeemed - expired, with reversals and transfers, = outstanding). It only
 * reports; it never corrects. A correction is an explicit ADJUSTMENT entry by an operator.
 */
@ApplicationScoped
public class Reconcile {
    private final Db db;
    private final LedgerChecks checks;
    private final ScheduleConfig config;
    private final Clock clock;

    public Reconcile(Db db, LedgerChecks checks, ScheduleConfig config, Clock clock) {
        this.db = db;
        this.checks = checks;
        this.config = config;
        this.clock = clock;
    }

    @RegisterForReflection
    public record Report(String job, String mode, Instant asOf, long membersChecked, long entriesChecked,
                         long discrepancyCount, List<LedgerChecks.Violation> discrepancies, long outstandingPoints,
                         long elapsedMs, boolean finished) {
    }

    public Report run() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        List<LedgerChecks.Violation> found = new ArrayList<>(checks.checkAll(config.reconcile().discrepanciesMax()));
        var totals = db.read(tx -> tx.query("""
                SELECT (SELECT count(*) FROM accounts) AS members,
                       (SELECT count(*) FROM ledger_entries) AS entries,
                       (SELECT COALESCE(SUM(balance), 0) FROM accounts) AS outstanding,
                       (SELECT COALESCE(SUM(points), 0) FROM ledger_entries) AS net,
                       (SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE kind IN ('TRANSFER_IN','TRANSFER_OUT')) AS transfers
                """).iterator().next());
        long outstanding = totals.getLong("outstanding");
        long net = totals.getLong("net");
        if (net != outstanding) {
            found.add(new LedgerChecks.Violation("*", "SYSTEM_TOTALS", "outstanding " + net, "accounts " + outstanding));
        }
        if (totals.getLong("transfers") != 0) {
            found.add(new LedgerChecks.Violation("*", "TRANSFERS_NET_TO_ZERO", "0", String.valueOf(totals.getLong("transfers"))));
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        return new Report("reconcile", "full", now, totals.getLong("members"), totals.getLong("entries"), found.size(),
                found, outstanding, elapsedMs, true);
    }
}
