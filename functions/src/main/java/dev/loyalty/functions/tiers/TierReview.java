package dev.loyalty.functions.tiers;

import dev.loyalty.core.MemberId;
import dev.loyalty.core.tiers.QualifyingPoints;
import dev.loyalty.core.tiers.TierDecision;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.schedule.ScheduleConfig;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The daily {@code tier-review}: records what time alone did to members' tiers (a grace that
 * ended: GRACE_ENDED; a new tier set version: CONFIG_CHANGED or a grace started), so history and
 * {@code tier.changed} catch up with what reads already show.
 *
 * <ul>
 *   <li>The work queue is the data: {@code member_tiers} rows whose {@code review_at} has passed
 *       or whose tier set version is not the one in force. A reviewed row is rolled forward to
 *       now and gets its next {@code review_at}, so it no longer matches: a second run changes
 *       nothing (idempotent).</li>
 *   <li>Bounded: chunks of {@code chunkMembers} members in member id order, one transaction
 *       each, no new chunk after {@code timeBudgetMs}.</li>
 *   <li>Resumable: a pass's position ({@code tier_review_checkpoints}) moves with each chunk's
 *       commit; an invocation that ran out of time leaves the pass unfinished and the next one
 *       resumes after the last member handled.</li>
 *   <li>Safe twice at once: a chunk locks its members' account rows {@code FOR UPDATE SKIP LOCKED}
 *       (the lock every write takes), so two reviews, or a review and a write, never evaluate one
 *       member at the same time; a member skipped is reviewed again in the next pass (a pass that
 *       skipped any starts over from the first member), and its reads are right meanwhile.</li>
 * </ul>
 */
@ApplicationScoped
public class TierReview {
    static final String JOB = "tier-review";

    private final Db db;
    private final LedgerStore store;
    private final LedgerWriter writer;
    private final TierSets tierSets;
    private final MemberTiers tiers;
    private final ScheduleConfig config;
    private final Clock clock;

    public TierReview(Db db, LedgerStore store, LedgerWriter writer, TierSets tierSets, MemberTiers tiers,
                      ScheduleConfig config, Clock clock) {
        this.db = db;
        this.store = store;
        this.writer = writer;
        this.tierSets = tierSets;
        this.tiers = tiers;
        this.config = config;
        this.clock = clock;
    }

    @RegisterForReflection
    public record Report(String job, Instant asOf, long tierSetVersion, String resumedAfter, long membersReviewed,
                         long membersChanged, long changes, long skipped, int chunks, long elapsedMs, boolean finished) {
    }

    private record Chunk(int candidates, String last, int reviewed, int changed, int changes, int skipped) {
    }

    public Report run() {
        return run(config.tierReview().chunkMembers(), config.tierReview().timeBudgetMs(), Integer.MAX_VALUE);
    }

    /** {@code chunksMax}: stop after this many chunks (tests interrupt a run with it). */
    public Report run(int chunkMembers, long timeBudgetMs, int chunksMax) {
        long startNanos = System.nanoTime();
        Instant now = clock.instant();
        TierSets.Version set = tierSets.asOf(now);
        String start = db.inTransaction(tx -> {
            var row = tx.one("SELECT after_member, finished FROM tier_review_checkpoints WHERE name = $1 FOR UPDATE",
                    r -> r.getBoolean("finished") ? "" : r.getString("after_member"), JOB);
            if (row.isEmpty()) {
                tx.query("INSERT INTO tier_review_checkpoints(name, run_as_of, after_member, finished) VALUES ($1, $2, '', false)"
                        + " ON CONFLICT (name) DO NOTHING", JOB, now);
                return "";
            }
            if (row.get().isEmpty()) {
                tx.query("UPDATE tier_review_checkpoints SET run_as_of = $2, after_member = '', finished = false WHERE name = $1",
                        JOB, now);
            }
            return row.get();
        });
        String cursor = start;
        long reviewed = 0;
        long changed = 0;
        long changes = 0;
        long skipped = 0;
        int chunks = 0;
        boolean finished = false;
        while (elapsedMs(startNanos) < timeBudgetMs && chunks < chunksMax) {
            String from = cursor;
            Chunk c = db.inTransaction(tx -> chunk(tx, from, set, now, chunkMembers));
            chunks++;
            reviewed += c.reviewed();
            changed += c.changed();
            changes += c.changes();
            skipped += c.skipped();
            if (c.candidates() < chunkMembers) {
                finished = true;
                break;
            }
            cursor = c.last();
        }
        if (finished) {
            boolean clean = skipped == 0;
            // A pass that skipped members (locked by a write or another review) starts over next time.
            db.inTransaction(tx -> tx.query("UPDATE tier_review_checkpoints SET finished = $2, after_member = ''"
                    + " WHERE name = $1", JOB, clean));
        }
        return new Report(JOB, now, set.version(), start, reviewed, changed, changes, skipped, chunks, elapsedMs(startNanos),
                finished && skipped == 0);
    }

    private Chunk chunk(Tx tx, String cursor, TierSets.Version set, Instant now, int chunkMembers) {
        // Round trip 1 (with BEGIN): the next members due.
        List<String> candidates = tx.list("SELECT member_id FROM member_tiers WHERE member_id > $1"
                        + " AND (review_at <= $2 OR tier_set_version <> $3) ORDER BY member_id LIMIT $4",
                r -> r.getString("member_id"), cursor, now, set.version(), chunkMembers);
        if (candidates.isEmpty()) {
            return new Chunk(0, cursor, 0, 0, 0, 0);
        }
        String last = candidates.getLast();
        String[] ids = candidates.toArray(new String[0]);
        // Round trip 2: their account locks (skipping members busy elsewhere), then their tier state.
        var locked = tx.laterList("SELECT member_id FROM accounts WHERE member_id = ANY($1) ORDER BY member_id"
                + " FOR UPDATE SKIP LOCKED", r -> r.getString("member_id"), (Object) ids);
        var states = store.tierStates(tx, candidates.stream().map(MemberId::new).toList(), QualifyingPoints.day(now, tiers.zone()));
        tx.flush();
        List<LedgerWriter.TierWrite> writes = new ArrayList<>();
        int changed = 0;
        int changes = 0;
        Map<MemberId, LedgerStore.TierState> byMember = states.get();
        for (String id : locked.get()) {
            LedgerStore.TierState s = byMember.get(new MemberId(id));
            if (s == null || s.record() == null) {
                continue;
            }
            TierDecision.Outcome o = TierDecision.read(set.tierSet(), s.record(), s.accountCreatedAt(), s.rows(), now, tiers.zone());
            Instant reviewAt = TierDecision.reviewAt(set.tierSet(), o.record(),
                    QualifyingPoints.fromRows(set.tierSet(), s.rows()), tiers.zone());
            writes.add(new LedgerWriter.TierWrite(s.member(), o.record(), set.version(), reviewAt, o.changes(),
                    o.qualifyingPoints()));
            if (!o.changes().isEmpty()) {
                changed++;
                changes += o.changes().size();
            }
        }
        // Round trip 3: the records, history and events, the pass's position, COMMIT.
        writer.tiersEvaluated(tx, writes, now, false);
        tx.later("UPDATE tier_review_checkpoints SET after_member = GREATEST(after_member, $2) WHERE name = $1", r -> null,
                JOB, last);
        return new Chunk(candidates.size(), last, writes.size(), changed, changes, candidates.size() - locked.get().size());
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
