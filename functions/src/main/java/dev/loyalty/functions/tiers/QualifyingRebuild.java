package dev.loyalty.functions.tiers;

import dev.loyalty.core.EntryKind;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.tiers.QualifyingDay;
import dev.loyalty.core.tiers.QualifyingPoints;
import dev.loyalty.core.tiers.QualifyingSource;
import dev.loyalty.core.tiers.TierDecision;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one-time rebuild of qualifying days from the ledger, for a database whose earns predate
 * them: V15 began keeping {@code qualifying_days} with every write, so an earn recorded before it
 * has no row, and its member's qualifying points (and tier) miss it. V23 queues the rebuild (a
 * {@code tier_review_checkpoints} row named {@value #JOB}, unfinished) when the ledger already
 * held earns; the tier-review runs it before its review, until it is finished.
 *
 * <ul>
 *   <li>The core decides: {@link QualifyingPoints#rebuild} gives the rows of the days any read or
 *       the review uses (from the earlier of a year and two days back and a year and three days
 *       before the record's evaluation) from the member's EARN, REVERSAL and RETURN entries; {@link QualifyingPoints#corrections} what differs from the stored
 *       rows; {@link TierDecision#onWrite} the tier after them, as for any write (an upgrade is
 *       QUALIFIED, recorded with its history and {@code tier.changed}; a correction down, which
 *       only stored rows the ledger does not account for can cause, starts a grace that ends
 *       with reason RETURN, as a take-back's does).</li>
 *   <li>Exact under writes: a chunk locks its members' account rows {@code FOR UPDATE} (the lock
 *       every write takes, in member id order like every multi-member lock) before it reads
 *       their entries and rows, so no write lands between the read and the rows it sets.</li>
 *   <li>Idempotent, safe twice at once: a member whose rows already agree with its ledger is not
 *       written; two runs over the same chunk take turns on the locks, and the second finds
 *       nothing to correct.</li>
 *   <li>Bounded and resumable: chunks of {@code chunkMembers} accounts in member id order, three
 *       round trips each, no new chunk after the time budget; the position moves with each
 *       chunk, and the next run resumes after it. A chunk that fails is tried again a tenth of
 *       the size, down to one member.</li>
 * </ul>
 */
@ApplicationScoped
public class QualifyingRebuild {
    static final String JOB = "qualifying-rebuild";

    private final Db db;
    private final LedgerWriter writer;
    private final MemberTiers tiers;
    private final Clock clock;

    public QualifyingRebuild(Db db, LedgerWriter writer, MemberTiers tiers, Clock clock) {
        this.db = db;
        this.writer = writer;
        this.tiers = tiers;
        this.clock = clock;
    }

    /** What a run did: members read, members whose rows it corrected, tier changes it recorded; whether the rebuild is done. */
    @RegisterForReflection
    public record Report(long membersRead, long membersCorrected, long tierChanges, boolean finished) {
    }

    private record Chunk(int read, int corrected, int changes, String last) {
    }

    /** Where a pending rebuild stands (the last member done), or empty: none pending (one read, the common case). */
    public Optional<String> pending() {
        return db.read(tx -> tx.one("SELECT after_member FROM tier_review_checkpoints WHERE name = $1 AND NOT finished",
                r -> r.getString(0), JOB));
    }

    /** Runs the pending rebuild from {@code after} until it is done or {@code deadlineNanos} passes. */
    public Report run(String after, int chunkMembers, long deadlineNanos) {
        String cursor = after;
        long read = 0;
        long corrected = 0;
        long changes = 0;
        int size = chunkMembers;
        while (System.nanoTime() < deadlineNanos) {
            String from = cursor;
            int n = size;
            Chunk c;
            try {
                c = db.inTransaction(tx -> chunk(tx, from, n, clock.instant()));
            } catch (RuntimeException e) {
                // A chunk too heavy for the statement timeout (members with long histories) is
                // tried again a tenth of the size, down to one member, for the rest of the run;
                // one member that still fails ends it (and the next run starts at full size).
                if (size == 1) {
                    throw e;
                }
                size = Math.max(1, size / 10);
                continue;
            }
            read += c.read();
            corrected += c.corrected();
            changes += c.changes();
            if (c.last() == null) {
                return new Report(read, corrected, changes, true);
            }
            cursor = c.last();
        }
        return new Report(read, corrected, changes, false);
    }

    private Chunk chunk(Tx tx, String after, int chunkMembers, Instant now) {
        // Round trip 1: the chunk's accounts, locked.
        List<String> ids = tx.list("SELECT member_id FROM accounts WHERE member_id > $1 ORDER BY member_id LIMIT $2 FOR UPDATE",
                r -> r.getString(0), after, chunkMembers);
        if (ids.isEmpty()) {
            // The end: the rebuild is done (a second run at once finds it so too).
            tx.query("UPDATE tier_review_checkpoints SET finished = true, after_member = '' WHERE name = $1", JOB);
            return new Chunk(0, 0, 0, null);
        }
        List<MemberId> members = ids.stream().map(MemberId::new).toList();
        // Round trip 2: their tier state (record, rows: from the earlier of a year and two days
        // ago and a year and three days before the record's evaluation, what every read and the
        // review use) and tier set, and the ledger entries that can touch those days: recorded
        // since a day before the first of them (an earn is recorded at most minutes before it
        // occurs; a take-back after what it takes back).
        LocalDate today = QualifyingPoints.day(now, tiers.zone());
        LocalDate floor = QualifyingPoints.readFloor(today);
        MemberTiers.Reads reads = tiers.read(tx, members, now);
        var entries = tx.laterList("""
                SELECT member_id, entry_id, kind, points, point_type, occurred_at, reverses_entry_id FROM ledger_entries
                 WHERE member_id = ANY($1) AND kind IN ('EARN', 'REVERSAL', 'RETURN')
                   AND recorded_at >= LEAST($2, (SELECT min(t.evaluated_at) - interval '370 days' FROM member_tiers t
                                                  WHERE t.member_id = ANY($1)))""",
                r -> Map.entry(r.getString("member_id"), new QualifyingSource(r.getUUID("entry_id"),
                        EntryKind.valueOf(r.getString("kind")), r.getLong("points"), r.getString("point_type"),
                        Tx.instant(r, "occurred_at"), r.getUUID("reverses_entry_id"))),
                ids.toArray(String[]::new), floor.minusDays(1).atStartOfDay(tiers.zone()).toInstant());
        tx.flush();
        Map<String, List<QualifyingSource>> byMember = new HashMap<>();
        for (var e : entries.get()) {
            byMember.computeIfAbsent(e.getKey(), m -> new ArrayList<>()).add(e.getValue());
        }
        // The core decides, member by member.
        Map<MemberId, List<QualifyingDay>> corrected = new TreeMap<>(java.util.Comparator.comparing(MemberId::value));
        List<LedgerWriter.TierWrite> writes = new ArrayList<>();
        int changes = 0;
        for (MemberId m : members) {
            LedgerStore.TierState state = reads.state(m, now);
            // The days this member's reads use (what LedgerStore.tierStates read).
            LocalDate from = QualifyingPoints.firstDayRead(today,
                    state.record() == null ? null : state.record().evaluatedAt());
            List<QualifyingDay> rebuilt = QualifyingPoints.rebuild(byMember.getOrDefault(m.value(), List.of()),
                    tiers.zone(), from);
            List<QualifyingDay> corrections = QualifyingPoints.corrections(state.rows(), rebuilt, from);
            if (corrections.isEmpty()) {
                continue;
            }
            TierDecision.Written w = tiers.decide(reads, m, corrections, now);
            writes.add(MemberTiers.write(m, reads.set(), w));
            changes += w.changes().size();
            // Each corrected (day, type) set to what the ledger gives (zero where no earn is left).
            Map<Map.Entry<LocalDate, String>, Long> want = new HashMap<>();
            rebuilt.forEach(r -> want.put(Map.entry(r.day(), r.pointType()), r.points()));
            corrected.put(m, corrections.stream().map(c -> new QualifyingDay(c.day(), c.pointType(),
                    want.getOrDefault(Map.entry(c.day(), c.pointType()), 0L))).toList());
        }
        // Round trip 3: the rows, the tiers (history, events), the position; COMMIT.
        writer.qualifyingRebuilt(tx, corrected);
        writer.tiersEvaluated(tx, writes, now);
        String last = ids.getLast();
        tx.later("UPDATE tier_review_checkpoints SET after_member = GREATEST(after_member, $2) WHERE name = $1 AND NOT finished",
                r -> null, JOB, last);
        return new Chunk(ids.size(), writes.size(), changes, last);
    }
}
