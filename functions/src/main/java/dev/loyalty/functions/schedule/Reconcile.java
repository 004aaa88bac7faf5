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
    /** {@code entriesChecked} and {@code outstandingPoints} are null in incremental mode (not computed). */
    public record Report(String job, String mode, Instant asOf, long membersChecked, Long entriesChecked,
                         long discrepancyCount, List<LedgerChecks.Violation> discrepancies, Long outstandingPoints,
                         long elapsedMs, boolean finished) {
    }

    /** Members checked by one incremental run at most; the rest wait for the next run. */
    public static final int INCREMENTAL_MEMBERS_MAX = 100_000;
    static final String CHECKPOINT = "reconcile";
    /** Re-check this far before the checkpoint: writes still in flight when it was taken commit later. */
    static final long CHECKPOINT_OVERLAP_SECONDS = 300;

    /**
     * Incremental mode checks only members whose account moved since the last checkpoint
     * (every write moves {@code updated_at}), then advances the checkpoint to this run's start.
     * Direct SQL corruption does not move {@code updated_at}: the full run catches it.
     */
    public Report incremental() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        Instant since = db.read(tx -> tx.one("SELECT checked_through FROM reconcile_checkpoints WHERE name = $1",
                r -> dev.loyalty.functions.store.Tx.instant(r, "checked_through"), CHECKPOINT)).orElse(Instant.EPOCH);
        List<String> members = db.read(tx -> tx.list("SELECT member_id FROM accounts WHERE updated_at >= $1"
                + " ORDER BY updated_at LIMIT $2", r -> r.getString("member_id"), since.minusSeconds(CHECKPOINT_OVERLAP_SECONDS),
                INCREMENTAL_MEMBERS_MAX + 1));
        boolean finished = members.size() <= INCREMENTAL_MEMBERS_MAX;
        List<String> batch = finished ? members : members.subList(0, INCREMENTAL_MEMBERS_MAX);
        List<LedgerChecks.Violation> found = batch.isEmpty() ? List.of()
                : checks.check(config.reconcile().discrepanciesMax(), batch.toArray(new String[0]));
        if (finished) {
            db.inTransaction(tx -> tx.query("INSERT INTO reconcile_checkpoints(name, checked_through) VALUES ($1, $2)"
                    + " ON CONFLICT (name) DO UPDATE SET checked_through = EXCLUDED.checked_through", CHECKPOINT, now));
        }
        return new Report("reconcile", "incremental", now, batch.size(), null, found.size(), found, null,
                (System.nanoTime() - start) / 1_000_000, finished);
    }

    public Report run() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        LedgerChecks.Audit audit = checks.audit(config.reconcile().discrepanciesMax(), null);
        List<LedgerChecks.Violation> found = new ArrayList<>(audit.violations());
        LedgerChecks.Totals totals = audit.totals();
        long outstanding = totals.outstanding();
        long net = totals.net();
        if (net != outstanding) {
            found.add(new LedgerChecks.Violation("*", "SYSTEM_TOTALS", "outstanding " + net, "accounts " + outstanding));
        }
        if (totals.transfers() != 0) {
            found.add(new LedgerChecks.Violation("*", "TRANSFERS_NET_TO_ZERO", "0", String.valueOf(totals.transfers())));
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        return new Report("reconcile", "full", now, totals.members(), totals.entries(), found.size(),
                found, outstanding, elapsedMs, true);
    }
}
