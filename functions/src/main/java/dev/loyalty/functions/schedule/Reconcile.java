package dev.loyalty.functions.schedule;

import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerChecks;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

    /** The checkpoint row of a full pass: the last member id it covered, when it ran last. */
    static final String FULL_PASS = "full";

    /**
     * Full mode: every member, in ranges of {@code chunk-members} accounts checked
     * {@code parallelism} at a time (each range one statement, so one snapshot), until the
     * ledger is covered or the time budget is spent. An unfinished pass records the last member
     * id it covered and the next invocation resumes there, so the work per invocation is
     * bounded whatever the ledger's size. Each range also checks its own totals (entries net =
     * balances outstanding); transfers, which pair members across ranges, are summed at the end
     * of a pass in one statement over their partial index and must net to zero.
     */
    public Report run() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        ScheduleConfig.Reconcile cfg = config.reconcile();
        // Where an unfinished pass stopped (null: none, start from the first member).
        String after = db.read(tx -> tx.one("SELECT after_member FROM reconcile_checkpoints WHERE name = $1",
                r -> Optional.ofNullable(r.getString("after_member")), FULL_PASS)).flatMap(o -> o).orElse(null);
        boolean resumed = after != null;
        List<LedgerChecks.Violation> found = new ArrayList<>();
        long members = 0;
        long entries = 0;
        long outstanding = 0;
        boolean finished = false;
        do {
            List<String[]> ranges = nextRanges(after, cfg.chunkMembers(), cfg.parallelism());
            List<LedgerChecks.Audit> audits = inParallel(ranges, cfg.discrepanciesMax());
            for (int i = 0; i < ranges.size(); i++) {
                LedgerChecks.Audit audit = audits.get(i);
                audit.violations().stream().limit(Math.max(0, cfg.discrepanciesMax() * 5L - found.size())).forEach(found::add);
                LedgerChecks.Totals t = audit.totals();
                members += t.members();
                entries += t.entries();
                outstanding += t.outstanding();
                if (t.net() != t.outstanding()) {
                    String[] r = ranges.get(i);
                    found.add(new LedgerChecks.Violation("(" + r[0] + ", " + r[1] + "]", "SYSTEM_TOTALS",
                            "outstanding " + t.net(), "accounts " + t.outstanding()));
                }
            }
            String[] last = ranges.get(ranges.size() - 1);
            finished = last[1] == null;
            after = last[1];
        } while (!finished && (System.nanoTime() - start) / 1_000_000 < cfg.timeBudgetMs());
        if (finished) {
            long transfers = db.read(tx -> tx.one("SELECT COALESCE(SUM(points), 0) AS net FROM ledger_entries"
                    + " WHERE kind IN ('TRANSFER_IN', 'TRANSFER_OUT')", r -> ((Number) r.getValue("net")).longValue())).orElse(0L);
            if (transfers != 0) {
                found.add(new LedgerChecks.Violation("*", "TRANSFERS_NET_TO_ZERO", "0", String.valueOf(transfers)));
            }
        }
        String cursor = finished ? null : after;
        db.inTransaction(tx -> tx.query("INSERT INTO reconcile_checkpoints(name, checked_through, after_member)"
                + " VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET checked_through = EXCLUDED.checked_through,"
                + " after_member = EXCLUDED.after_member", FULL_PASS, now, cursor));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        // Outstanding points are a total only when this invocation covered the whole ledger.
        return new Report("reconcile", "full", now, members, entries, found.size(), found,
                finished && !resumed ? outstanding : null, elapsedMs, finished);
    }

    /**
     * Up to {@code count} consecutive ranges {@code (after, upTo]} of {@code size} accounts each;
     * the last range of the ledger has an open end (null), so members after the last account
     * (entries or lots without one) are still covered.
     */
    List<String[]> nextRanges(String after, int size, int count) {
        return db.read(tx -> {
            List<String[]> ranges = new ArrayList<>();
            String lo = after;
            for (int i = 0; i < Math.max(1, count); i++) {
                String from = lo;
                String hi = tx.one("SELECT member_id FROM accounts WHERE ($1::text IS NULL OR member_id > $1)"
                        + " ORDER BY member_id OFFSET $2 LIMIT 1", r -> r.getString("member_id"), from, Math.max(1, size) - 1)
                        .orElse(null);
                ranges.add(new String[]{from, hi});
                if (hi == null) {
                    break;
                }
                lo = hi;
            }
            return ranges;
        });
    }

    private List<LedgerChecks.Audit> inParallel(List<String[]> ranges, int limit) {
        if (ranges.size() == 1) {
            return List.of(checks.auditRange(limit, ranges.get(0)[0], ranges.get(0)[1]));
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LedgerChecks.Audit>> futures = new ArrayList<>();
            for (String[] r : ranges) {
                futures.add(pool.submit(() -> checks.auditRange(limit, r[0], r[1])));
            }
            List<LedgerChecks.Audit> out = new ArrayList<>();
            for (Future<LedgerChecks.Audit> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }
}
