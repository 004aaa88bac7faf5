package dev.loyalty.functions.tiers;

import dev.loyalty.core.MemberId;
import dev.loyalty.core.tiers.QualifyingPoints;
import dev.loyalty.core.tiers.TierDecision;
import dev.loyalty.core.tiers.TierRecord;
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
    private final LedgerWriter writer;
    private final TierSets tierSets;
    private final MemberTiers tiers;
    private final ScheduleConfig config;
    private final Clock clock;

    public TierReview(Db db, LedgerWriter writer, TierSets tierSets, MemberTiers tiers,
                      ScheduleConfig config, Clock clock) {
        this.db = db;
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

    /**
     * One chunk, two round trips. The first (with BEGIN) locks the next due members' account rows
     * (SKIP LOCKED) and then, in a second statement with a fresh snapshot that sees every write
     * committed before those locks, reads the due members' tier records with their qualifying day
     * rows (the tier set's qualifying types, a year and a bit back, as arrays per member): ONE
     * statement for the chunk. The core ({@link TierDecision}) decides each locked member in Java;
     * the second round trip writes every record, history item and event in ONE statement
     * ({@link LedgerWriter#tiersReviewed}), moves the pass's position and commits.
     */
    private Chunk chunk(Tx tx, String cursor, TierSets.Version set, Instant now, int chunkMembers) {
        java.time.ZoneId zone = tiers.zone();
        java.time.LocalDate today = QualifyingPoints.day(now, zone);
        java.time.LocalDate floor = QualifyingPoints.firstDayToRead(today, today).minusDays(1);
        // The chunk's members: one range of the primary key in member id order. Each statement
        // below looks them up with = ANY(the sorted ids), one ordered index scan (no hash of the
        // table, no descent per member where they share a page).
        String due = "ARRAY(SELECT member_id FROM member_tiers WHERE member_id > $1"
                + " AND (review_at <= $2 OR tier_set_version <> $3) ORDER BY member_id LIMIT $4)";
        var lock = tx.laterOne("WITH c AS MATERIALIZED (SELECT " + due + " AS ids), l AS MATERIALIZED ("
                + " SELECT a.member_id FROM accounts a WHERE a.member_id = ANY((SELECT ids FROM c)::text[])"
                + " ORDER BY a.member_id FOR UPDATE OF a SKIP LOCKED)"
                + " SELECT cardinality(c.ids) AS candidates, c.ids[cardinality(c.ids)] AS last,"
                + " (SELECT array_agg(member_id) FROM l) AS locked FROM c",
                r -> new Object[]{r.getInteger("candidates"), r.getString("last"), r.getArrayOfStrings("locked")},
                cursor, now, set.version(), chunkMembers);
        var read = tx.laterList("""
                WITH t AS MATERIALIZED (
                  SELECT t.member_id, t.tier, t.since, t.below_since, t.below_reason, t.evaluated_at FROM member_tiers t
                   WHERE t.member_id > $1 AND (t.review_at <= $2 OR t.tier_set_version <> $3) ORDER BY t.member_id LIMIT $4
                ), q AS (
                  SELECT q.member_id, array_agg(q.day) AS days, array_agg(q.points) AS points FROM qualifying_days q
                   WHERE q.member_id = ANY(ARRAY(SELECT member_id FROM t)) AND q.point_type = ANY($6)
                     AND q.day >= LEAST($5::date, (SELECT (min(evaluated_at) AT TIME ZONE 'UTC')::date - 368 FROM t))
                   GROUP BY q.member_id
                )
                SELECT t.*, q.days, q.points FROM t LEFT JOIN q ON q.member_id = t.member_id""",
                r -> r, cursor, now, set.version(), chunkMembers, floor,
                set.tierSet().pointTypes().toArray(new String[0]));
        tx.flush();
        Object[] head = lock.get().orElseThrow();
        int candidates = (Integer) head[0];
        if (candidates == 0) {
            return new Chunk(0, cursor, 0, 0, 0, 0);
        }
        String last = (String) head[1];
        java.util.Set<String> locked = head[2] == null ? java.util.Set.of() : java.util.Set.of((String[]) head[2]);
        List<LedgerWriter.TierWrite> writes = new ArrayList<>();
        int changed = 0;
        int changes = 0;
        for (io.vertx.mutiny.sqlclient.Row r : read.get()) {
            String id = r.getString("member_id");
            if (!locked.contains(id)) {
                continue; // due in this snapshot but not ours: a later chunk's, or locked elsewhere
            }
            TierRecord record = LedgerStore.tierRecord(r.getString("tier"), Tx.instant(r, "since"), Tx.instant(r, "below_since"),
                    r.getString("below_reason"), Tx.instant(r, "evaluated_at"));
            java.util.NavigableMap<java.time.LocalDate, Long> days = new java.util.TreeMap<>();
            java.time.LocalDate[] d = r.getArrayOfLocalDates("days");
            Long[] p = r.getArrayOfLongs("points");
            for (int i = 0; d != null && i < d.length; i++) {
                days.merge(d[i], p[i], Math::addExact); // a day's qualifying types summed
            }
            TierDecision.Outcome o = TierDecision.asOf(set.tierSet(), record, days, now, zone);
            Instant reviewAt = TierDecision.reviewAt(set.tierSet(), o.record(), days, zone);
            writes.add(new LedgerWriter.TierWrite(new MemberId(id), o.record(), set.version(), reviewAt, o.changes(),
                    o.qualifyingPoints()));
            if (!o.changes().isEmpty()) {
                changed++;
                changes += o.changes().size();
            }
        }
        // Round trip 2: the records, history and events (one statement), the pass's position, COMMIT.
        writer.tiersReviewed(tx, writes, now);
        tx.later("UPDATE tier_review_checkpoints SET after_member = GREATEST(after_member, $2) WHERE name = $1", r -> null,
                JOB, last);
        return new Chunk(candidates, last, writes.size(), changed, changes, candidates - locked.size());
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
