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
 *       or whose tier set version is not the one in force. A reviewed row that changed is rolled
 *       forward to now and gets its next {@code review_at} and the version, so it no longer
 *       matches; a row the version left exactly as it was is not rewritten, and no longer
 *       matches once a pass under that version has finished clean ({@code version_done}): a
 *       second run changes nothing (idempotent). A row evaluated within {@link #IN_FLIGHT}
 *       before the version took effect is always rewritten (a write in flight across the
 *       version's start may have committed after its pass went by).</li>
 *   <li>Bounded: chunks of {@code chunkMembers} members in member id order, one transaction
 *       each, no new chunk after {@code timeBudgetMs}.</li>
 *   <li>Resumable: a pass's position ({@code tier_review_checkpoints}) moves with each chunk's
 *       commit; an invocation that ran out of time leaves the pass unfinished and the next one
 *       resumes after the last member handled.</li>
 *   <li>Safe twice at once: a chunk rewrites a member only with its account row locked
 *       {@code FOR UPDATE SKIP LOCKED} (the lock every write takes) and only if its row is still
 *       the one the review read (its {@code xmin}), so two reviews, or a review and a write, never
 *       record one change twice; a member skipped (busy, or changed meanwhile) is reviewed again
 *       in the next pass (a pass that skipped any starts over from the first member, and so does
 *       one resumed under another tier set version), and its reads are right meanwhile.</li>
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

    /** Where a run starts: the pass's position, and whether a pass under this version has yet to finish clean. */
    private record Start(String after, boolean versionPending) {
    }

    /**
     * How long before a version's effectiveFrom a write may have taken its instant and still
     * commit after the review read the member (a transaction's longest life, with a wide
     * margin): such a row with an older version is always rewritten, so no pass leaves it behind.
     */
    static final java.time.Duration IN_FLIGHT = java.time.Duration.ofMinutes(15);

    /** {@code chunksMax}: stop after this many chunks (tests interrupt a run with it). */
    public Report run(int chunkMembers, long timeBudgetMs, int chunksMax) {
        long startNanos = System.nanoTime();
        Instant now = clock.instant();
        TierSets.Version set = tierSets.asOf(now);
        long v = set.version();
        Instant recent = set.effectiveFrom().minus(IN_FLIGHT);
        Start start = db.inTransaction(tx -> {
            var row = tx.one("SELECT after_member, finished, pass_version, version_done FROM tier_review_checkpoints"
                            + " WHERE name = $1 FOR UPDATE",
                    r -> new Object[]{r.getString("after_member"), r.getBoolean("finished"), r.getLong("pass_version"),
                            r.getLong("version_done")}, JOB);
            if (row.isEmpty()) {
                tx.query("INSERT INTO tier_review_checkpoints(name, run_as_of, after_member, finished, pass_version)"
                        + " VALUES ($1, $2, '', false, $3) ON CONFLICT (name) DO NOTHING", JOB, now, v);
                return new Start("", true);
            }
            Object[] r = row.get();
            boolean pending = r[3] == null || (Long) r[3] != v;
            boolean samePass = !(Boolean) r[1] && !((String) r[0]).isEmpty() && r[2] != null && (Long) r[2] == v;
            if (!samePass) {
                // A new pass (the last one finished, or ran under another version).
                tx.query("UPDATE tier_review_checkpoints SET run_as_of = $2, after_member = '', finished = false,"
                        + " pass_version = $3, pass_skipped = false WHERE name = $1", JOB, now, v);
                return new Start("", pending);
            }
            return new Start((String) r[0], pending);
        });
        String cursor = start.after();
        long reviewed = 0;
        long changed = 0;
        long changes = 0;
        long skipped = 0;
        int chunks = 0;
        boolean finished = false;
        while (elapsedMs(startNanos) < timeBudgetMs && chunks < chunksMax) {
            String from = cursor;
            Chunk c = db.inTransaction(tx -> chunk(tx, from, set, now, chunkMembers, start.versionPending(), recent));
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
            // A pass that skipped members (locked by a write or another review, or changed after
            // the review read them) starts over next time; one that finished clean under this
            // version leaves the rows it did not need to rewrite behind for good.
            db.inTransaction(tx -> tx.query("UPDATE tier_review_checkpoints SET finished = NOT pass_skipped AND $2,"
                    + " version_done = CASE WHEN NOT pass_skipped AND $2 AND pass_version = $3 THEN $3 ELSE version_done END,"
                    + " after_member = '' WHERE name = $1", JOB, clean, v));
        }
        return new Report(JOB, now, v, start.after(), reviewed, changed, changes, skipped, chunks, elapsedMs(startNanos),
                finished && skipped == 0);
    }

    /**
     * One chunk. Round trip 1 (with BEGIN) reads the next due members' tier records with their
     * qualifying day rows (the tier set's qualifying types, a year and a bit back, as arrays per
     * member): ONE statement, no lock. The core ({@link TierDecision}) decides each member in
     * Java. A member the decision leaves exactly as stored (same tier, since, grace and review
     * instant: the common case of a new tier set version) is not rewritten: reads and writes roll
     * its record forward to the same result. Round trip 2 writes the others in ONE statement
     * ({@link LedgerWriter#tiersReviewed}): their account rows locked SKIP LOCKED, each record
     * replaced only if unchanged since the read, with its history and events; round trip 3 moves
     * the pass's position (and marks it skipped if any member was busy) and commits.
     */
    private Chunk chunk(Tx tx, String cursor, TierSets.Version set, Instant now, int chunkMembers, boolean versionPending,
                        Instant recent) {
        java.time.ZoneId zone = tiers.zone();
        java.time.LocalDate today = QualifyingPoints.day(now, zone);
        java.time.LocalDate floor = QualifyingPoints.firstDayToRead(today, today).minusDays(1);
        // Due: the review instant has passed, or another tier set version made the record, unless
        // a pass under this version finished clean and the row is older than the version
        // (see IN_FLIGHT). One range of the primary key in member id order.
        var read = tx.laterList("""
                WITH t AS MATERIALIZED (
                  SELECT t.member_id, t.tier, t.since, t.below_since, t.below_reason, t.evaluated_at, t.tier_set_version,
                         t.review_at, t.xmin::text AS xmin
                    FROM member_tiers t
                   WHERE t.member_id > $1 AND (t.review_at <= $2
                         OR (t.tier_set_version <> $3 AND ($7 OR t.evaluated_at >= $8)))
                   ORDER BY t.member_id LIMIT $4
                ), q AS (
                  SELECT q.member_id, array_agg(q.day) AS days, array_agg(q.points) AS points FROM qualifying_days q
                   WHERE q.member_id = ANY(ARRAY(SELECT member_id FROM t)) AND q.point_type = ANY($6)
                     AND q.day >= LEAST($5::date, (SELECT (min(evaluated_at) AT TIME ZONE 'UTC')::date - 368 FROM t))
                   GROUP BY q.member_id
                )
                SELECT t.*, q.days, q.points FROM t LEFT JOIN q ON q.member_id = t.member_id ORDER BY t.member_id""",
                r -> r, cursor, now, set.version(), chunkMembers, floor,
                set.tierSet().pointTypes().toArray(new String[0]), versionPending, recent);
        tx.flush();
        List<io.vertx.mutiny.sqlclient.Row> rows = read.get();
        if (rows.isEmpty()) {
            return new Chunk(0, cursor, 0, 0, 0, 0);
        }
        String last = rows.getLast().getString("member_id");
        List<LedgerWriter.TierWrite> writes = new ArrayList<>();
        List<String> xmins = new ArrayList<>();
        for (io.vertx.mutiny.sqlclient.Row r : rows) {
            TierRecord stored = LedgerStore.tierRecord(r.getString("tier"), Tx.instant(r, "since"), Tx.instant(r, "below_since"),
                    r.getString("below_reason"), Tx.instant(r, "evaluated_at"));
            Instant storedReviewAt = Tx.instant(r, "review_at");
            java.util.NavigableMap<java.time.LocalDate, Long> days = new java.util.TreeMap<>();
            java.time.LocalDate[] d = r.getArrayOfLocalDates("days");
            Long[] p = r.getArrayOfLongs("points");
            for (int i = 0; d != null && i < d.length; i++) {
                days.merge(d[i], p[i], Math::addExact); // a day's qualifying types summed
            }
            TierDecision.Outcome o = TierDecision.asOf(set.tierSet(), stored, days, now, zone);
            Instant reviewAt = TierDecision.reviewAt(set.tierSet(), o.record(), days, zone);
            boolean asStored = o.changes().isEmpty() && o.record().tier().equals(stored.tier())
                    && o.record().since().equals(stored.since())
                    && java.util.Objects.equals(o.record().belowSince(), stored.belowSince())
                    && o.record().belowReason() == stored.belowReason()
                    && java.util.Objects.equals(reviewAt, storedReviewAt)
                    && (storedReviewAt == null || storedReviewAt.isAfter(now))
                    && r.getLong("tier_set_version") != set.version()
                    && stored.evaluatedAt().isBefore(recent);
            if (!asStored) {
                writes.add(new LedgerWriter.TierWrite(new MemberId(r.getString("member_id")), o.record(), set.version(),
                        reviewAt, o.changes(), o.qualifyingPoints()));
                xmins.add(r.getString("xmin"));
            }
        }
        // Round trip 2: the members to rewrite, locked and guarded, with history and events (one statement).
        java.util.Set<String> written = java.util.Set.of();
        if (!writes.isEmpty()) {
            var done = writer.tiersReviewed(tx, writes, xmins, now);
            tx.flush();
            written = done.get();
        }
        int changed = 0;
        int changes = 0;
        for (LedgerWriter.TierWrite w : writes) {
            if (written.contains(w.member().value()) && !w.changes().isEmpty()) {
                changed++;
                changes += w.changes().size();
            }
        }
        int skipped = writes.size() - written.size();
        // Round trip 3: the pass's position, COMMIT.
        tx.later("UPDATE tier_review_checkpoints SET after_member = GREATEST(after_member, $2),"
                + " pass_skipped = pass_skipped OR $3 WHERE name = $1", r -> null, JOB, last, skipped > 0);
        return new Chunk(rows.size(), last, rows.size() - skipped, changed, changes, skipped);
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
