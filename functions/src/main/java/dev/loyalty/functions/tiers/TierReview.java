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
 *   <li>Bounded: chunks of {@code chunkMembers} members in member id order (see {@link Plan}),
 *       each read without a transaction and written (if anything changed) in one, no new read
 *       after {@code timeBudgetMs} or {@code chunksMax} reads. The next chunks are read while
 *       this one is decided ({@link #READS_IN_FLIGHT}).</li>
 *   <li>Resumable: a pass's position ({@code tier_review_checkpoints}) moves with each chunk
 *       that writes, at least every {@link #SAVE_EVERY_NANOS} otherwise, and when the run
 *       stops; an invocation that ran out of time leaves the pass unfinished and the next one
 *       resumes after the last chunk saved (members after it read again change nothing).</li>
 *   <li>Safe twice at once: a chunk rewrites a member only with its account row locked
 *       {@code FOR UPDATE SKIP LOCKED} (the lock every write takes) and only if its row is still
 *       the one the review read (its {@code xmin}), so two reviews, or a review and a write, never
 *       record one change twice. A member skipped (busy, or changed meanwhile) goes on the retry
 *       list ({@code tier_review_retries}, V22) with the pass's version, in the chunk's own write
 *       transaction; its reads are right meanwhile. Two runs at once converge: a member one run
 *       wrote and the other skipped sits on the list until a retry finds it no longer due and
 *       takes it off.</li>
 *   <li>Retries: once the traversal has read its last member the pass is {@code traversed}, and
 *       the run (or, out of budget, the next one, straight away) reads the list in member order,
 *       {@code chunkMembers} at a time, each member at most once per run (a lock that never goes
 *       away never keeps a run going): their records with the due filter of a pending version
 *       (a listed member was never reviewed under the pass's version), the same decision and the
 *       same guarded write, and in that transaction the listed members not skipped again (written,
 *       no longer due, or left as they were) come off the list.</li>
 *   <li>Finished: only when the traversal is done and the list holds no member of the pass's
 *       version; then {@code version_done} is the version. A skipped member no longer makes the
 *       pass start over (before V22 it did, and on a busy system some member is always locked
 *       during a long pass, so no pass finished). A new pass (a new version, or the last pass
 *       finished) starts from the first member, not traversed, and drops the list's members of
 *       other versions; a pass resumed under another tier set version starts over.</li>
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
    private final QualifyingRebuild rebuild;

    public TierReview(Db db, LedgerWriter writer, TierSets tierSets, MemberTiers tiers,
                      ScheduleConfig config, Clock clock, QualifyingRebuild rebuild) {
        this.rebuild = rebuild;
        this.db = db;
        this.writer = writer;
        this.tierSets = tierSets;
        this.tiers = tiers;
        this.config = config;
        this.clock = clock;
    }

    /**
     * A run's report. {@code skipped}: the members this run skipped and did not take off the
     * retry list itself (each once, however often it was skipped; a run at once may have taken
     * some off since); {@code retried}: the members it read from the retry list; {@code chunks}
     * counts the traversal's chunks and the retry rounds; {@code finished}: the pass is finished
     * (traversed, no retries of its version left, {@code version_done} set).
     */
    @RegisterForReflection
    public record Report(String job, Instant asOf, long tierSetVersion, String resumedAfter, long membersReviewed,
                         long membersChanged, long changes, long skipped, long retried, int chunks, long elapsedMs,
                         boolean finished, QualifyingRebuild.Report qualifyingRebuild) {
    }

    /** Members per chunk of the qualifying rebuild (each holds its members' account locks while it reads their entries). */
    static final int REBUILD_CHUNK = 1_000;

    /** A chunk written: counts, the members skipped, and the listed members taken off the retry list. */
    private record Chunk(int reviewed, int changed, int changes, List<String> skipped, List<String> cleared) {
    }

    public Report run() {
        return run(config.tierReview().chunkMembers(), config.tierReview().timeBudgetMs(), Integer.MAX_VALUE);
    }

    /**
     * Where a run starts: the tier set in force, the pass's position, whether a pass under this
     * version has yet to finish clean, and whether the pass's traversal is done (only its retries
     * are left).
     */
    private record Start(TierSets.Version set, String after, boolean versionPending, boolean traversed,
                         TierSets.Settled settled) {
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
        // A pending qualifying rebuild (earns recorded before V15) goes first: its rows are what
        // the review decides with. Until it is done, a run does nothing else.
        QualifyingRebuild.Report rebuilt = null;
        var rebuildFrom = rebuild.pending();
        if (rebuildFrom.isPresent()) {
            rebuilt = rebuild.run(rebuildFrom.get(), Math.min(chunkMembers, REBUILD_CHUNK),
                    startNanos + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeBudgetMs));
            if (!rebuilt.finished()) {
                return new Report(JOB, clock.instant(), 0, null, 0, 0, 0, 0, 0, 0, elapsedMs(startNanos), false, rebuilt);
            }
        }
        Instant now = clock.instant();
        Start start = db.inTransaction(tx -> {
            // The tier set in force, with plain SQL (this function runs without the entity layer),
            // in the same round trip as the checkpoint.
            var inForce = tierSets.inForce(tx, now);
            var versions = tierSets.all(tx);
            var row = tx.one("SELECT after_member, finished, pass_version, version_done, traversed"
                            + " FROM tier_review_checkpoints WHERE name = $1 FOR UPDATE",
                    r -> new Object[]{r.getString("after_member"), r.getBoolean("finished"), r.getLong("pass_version"),
                            r.getLong("version_done"), r.getBoolean("traversed")}, JOB);
            TierSets.Version in = inForce.get();
            long v = in.version();
            TierSets.Settled settled = TierSets.settled(versions.get(), in.tierSet());
            // A new pass drops the retries of other versions (what a pass under another version
            // skipped is due under this one anyway while this one is pending), holding the
            // checkpoint row like every change to the list (see write).
            String dropOthers = "DELETE FROM tier_review_retries WHERE pass_version <> $1";
            if (row.isEmpty()) {
                tx.later("INSERT INTO tier_review_checkpoints(name, run_as_of, after_member, finished, pass_version)"
                        + " VALUES ($1, $2, '', false, $3) ON CONFLICT (name) DO NOTHING", x -> null, JOB, now, v);
                tx.later(dropOthers, x -> null, v);
                return new Start(in, "", true, false, settled);
            }
            Object[] r = row.get();
            boolean pending = r[3] == null || (Long) r[3] != v;
            boolean traversed = (Boolean) r[4];
            boolean samePass = !(Boolean) r[1] && r[2] != null && (Long) r[2] == v
                    && (traversed || !((String) r[0]).isEmpty());
            if (!samePass) {
                // A new pass (the last one finished, or ran under another version). pass_skipped is
                // still kept (reset here, set by the chunks that skip) for whoever reads it; whether
                // the pass finishes depends on the retry list, not on it.
                tx.later("UPDATE tier_review_checkpoints SET run_as_of = $2, after_member = '', finished = false,"
                        + " pass_version = $3, pass_skipped = false, traversed = false WHERE name = $1", x -> null, JOB, now, v);
                tx.later(dropOthers, x -> null, v);
                return new Start(in, "", pending, false, settled);
            }
            return new Start(in, (String) r[0], pending, traversed, settled);
        });
        TierSets.Version set = start.set();
        long v = set.version();
        Instant recent = set.effectiveFrom().minus(IN_FLIGHT);
        String cursor = start.after();
        long reviewed = 0;
        long changed = 0;
        long changes = 0;
        long retried = 0;
        int chunks = 0;
        // The members this run skipped and has not taken off the retry list (each counted once).
        java.util.Set<String> left = new java.util.HashSet<>();
        boolean traversed = start.traversed();
        Scope scope = new Scope(set, now, recent, chunkMembers, start.versionPending(), tiers.zone(), start.settled());
        Plan plan = new Plan(scope, cursor);
        String unsaved = null;
        long savedAt = System.nanoTime();
        // Bounded: no read (of the traversal or of the retry list) goes out after chunksMax reads
        // or the time budget.
        java.util.function.BooleanSupplier more = new java.util.function.BooleanSupplier() {
            int sent;

            @Override
            public boolean getAsBoolean() {
                return sent++ < chunksMax && elapsedMs(startNanos) < timeBudgetMs;
            }
        };
        // Reads run on their own connections, READS_IN_FLIGHT at a time, while chunks are decided
        // and written in member order: PostgreSQL reads the next chunks while the JVM decides this
        // one (a read needs no transaction and no lock: the write's xmin guard makes a stale
        // decision harmless). A pass already traversed has only its retries left.
        if (!traversed) {
            try (var reader = java.util.concurrent.Executors.newFixedThreadPool(READS_IN_FLIGHT)) {
                java.util.ArrayDeque<java.util.concurrent.Future<Read>> reads = new java.util.ArrayDeque<>();
                send(reads, reader, plan, scope, more);
                try {
                    while (!reads.isEmpty()) {
                        Read read = await(reads.poll());
                        String position = read.position(chunkMembers);
                        plan.read(read, position);
                        send(reads, reader, plan, scope, more); // the next reads go out before this chunk is decided
                        String mark = position != null ? position
                                : read.due().isEmpty() ? read.range().after() : read.due().getLast().member();
                        Decided d = decide(read.due(), scope);
                        Chunk c;
                        if (d.writes().isEmpty() && (position == null || System.nanoTime() - savedAt < SAVE_EVERY_NANOS)) {
                            // Nothing to write: the position is saved with a later chunk, at the latest
                            // after SAVE_EVERY_NANOS or when the run ends (a crash in between only means
                            // these members are read again).
                            c = new Chunk(read.due().size(), 0, 0, List.of(), List.of());
                            unsaved = mark;
                        } else {
                            c = db.inTransaction(tx -> write(tx, d, mark, scope.now(), v, List.of()));
                            unsaved = null;
                            savedAt = System.nanoTime();
                        }
                        chunks++;
                        reviewed += c.reviewed();
                        changed += c.changed();
                        changes += c.changes();
                        left.addAll(c.skipped());
                        if (position == null) {
                            traversed = true;
                            break;
                        }
                    }
                } catch (RuntimeException e) {
                    // A failed chunk ends the run: the reads still out are cancelled (their waits
                    // interrupted, their connections released), not waited for.
                    reads.forEach(f -> f.cancel(true));
                    reader.shutdownNow();
                    throw e;
                }
            }
        }
        if (unsaved != null && !traversed) {
            String position = unsaved;
            db.inTransaction(tx -> tx.query("UPDATE tier_review_checkpoints SET after_member = GREATEST(after_member, $2)"
                    + " WHERE name = $1 AND pass_version = $3", JOB, position, v));
        }
        boolean finished = false;
        if (traversed) {
            if (!start.traversed()) {
                // The traversal is done: a run that stops before its retries are (the budget) leaves
                // them to the next one, which goes straight to them.
                db.inTransaction(tx -> tx.query("UPDATE tier_review_checkpoints SET traversed = true"
                        + " WHERE name = $1 AND pass_version = $2", JOB, v));
            }
            // The retries, in member order, chunkMembers at a time, each listed member at most once
            // in this run (the position only moves on): a member whose lock never goes away stays
            // on the list and the run ends. Read as if the version were pending: a listed member
            // was skipped, so no pass under this version has reviewed it (a member the version
            // leaves as it was is read, decided as stored, not rewritten, and comes off the list).
            Scope retrying = new Scope(set, now, recent, chunkMembers, true, tiers.zone(), start.settled());
            String after = "";
            while (more.getAsBoolean()) {
                Retry r = retries(after, retrying);
                if (r.listed().isEmpty()) {
                    break;
                }
                Decided d = decide(r.due(), retrying);
                Chunk c = db.inTransaction(tx -> write(tx, d, "", now, v, r.listed()));
                chunks++;
                retried += r.listed().size();
                reviewed += c.reviewed();
                changed += c.changed();
                changes += c.changes();
                c.cleared().forEach(left::remove);
                left.addAll(c.skipped());
                if (r.listed().size() < chunkMembers) {
                    break;
                }
                after = r.listed().getLast();
            }
            finished = finish(v);
        }
        return new Report(JOB, now, v, start.after(), reviewed, changed, changes, left.size(), retried, chunks,
                elapsedMs(startNanos), finished, rebuilt);
    }

    /**
     * Finishes the pass if its traversal is done and the retry list holds none of its version's
     * members; from then on the rows this version left as they were are no longer due
     * ({@code version_done}). A member a run at once skips after this check stays on the list
     * with this version, and the next pass (same version) cannot finish before a retry has taken
     * it off. True when the pass is finished (by this run, or by another one at once).
     */
    private boolean finish(long v) {
        Tx.Deferred<java.util.Optional<Boolean>> done = db.inTransaction(tx -> {
            tx.later("""
                    UPDATE tier_review_checkpoints SET finished = true, version_done = $2, after_member = '', traversed = false
                     WHERE name = $1 AND pass_version = $2 AND traversed AND NOT finished
                       AND NOT EXISTS (SELECT 1 FROM tier_review_retries WHERE pass_version = $2)""", x -> null, JOB, v);
            return tx.laterOne("SELECT COALESCE(finished AND version_done = $2, false) AS done FROM tier_review_checkpoints"
                    + " WHERE name = $1 AND pass_version = $2", x -> x.getBoolean("done"), JOB, v);
        });
        return done.get().orElse(false);
    }

    /** What every chunk of one run reads and decides with. */
    private record Scope(TierSets.Version set, Instant now, Instant recent, int chunkMembers, boolean versionPending,
                         java.time.ZoneId zone, TierSets.Settled settled) {
        /**
         * The parameters $2 to $8 of {@link #DUE}: now, the version in force, whether it is
         * pending, {@code recent}, and what {@code TierDecision.settled} asks of a row
         * ({@link TierSets.Settled}): the versions that count alike, the tier names, the bounds.
         */
        Object[] due() {
            return new Object[]{now, set.version(), versionPending, recent, settled.versions(), settled.tiers(),
                    settled.bounds()};
        }

        /** The tier set's qualifying point types. */
        String[] types() {
            return set.tierSet().pointTypes().toArray(new String[0]);
        }

        /** The oldest qualifying day read however recent the evaluations (a year and a bit before today). */
        java.time.LocalDate floor() {
            return QualifyingPoints.readFloor(today());
        }

        java.time.LocalDate today() {
            return QualifyingPoints.day(now, zone);
        }
    }

    /** A due member as read: its stored record, review instant, version and row version, and its qualifying days. */
    private record Due(String member, TierRecord stored, Instant reviewAt, long version, Long storedPoints, String xmin,
                       java.time.LocalDate[] days, Long[] points) {
    }

    /** The longest a run goes without saving its position while it has nothing to write. */
    static final long SAVE_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    /** Reads at once: this chunk's and the next one's. */
    static final int READS_IN_FLIGHT = 2;

    /** Range ends fetched per statement while a version is pending. */
    static final int ENDS_PER_READ = 16;

    /**
     * The members of one chunk: after {@code after}, up to and including {@code end}; or, with
     * no end, the next {@code chunkMembers} due members.
     */
    private record Range(String after, String end) {
    }

    private record Read(Range range, List<Due> due) {
        /** Where the pass stands once this chunk is written; null: at the end. */
        String position(int chunkMembers) {
            if (range.end() != null) {
                return range.end();
            }
            return due.size() == chunkMembers ? due.getLast().member() : null;
        }
    }

    /**
     * The chunks of a run, in member order. While a tier set version is pending nearly every row
     * is due, so chunks are ranges of {@code chunkMembers} tier records whose ends are known
     * before they are read (a statement gives the next {@link #ENDS_PER_READ}), and several are
     * read at once. Otherwise the due members are few and far apart: a chunk is the next
     * {@code chunkMembers} due members, and the next one can be read only once this one's last
     * member is known.
     */
    private final class Plan {
        private final Scope scope;
        private final java.util.ArrayDeque<String> ends = new java.util.ArrayDeque<>();
        private String after;
        private boolean open;
        private boolean lastEnds;

        Plan(Scope scope, String after) {
            this.scope = scope;
            this.after = after;
        }

        /** Whether a chunk can be read now: not at the end, and not waiting for an open-ended read to come back. */
        boolean ready() {
            return !open && after != null;
        }

        /** The next chunk to read (only when {@link #ready}). */
        Range next() {
            if (scope.versionPending() && ends.isEmpty() && !lastEnds) {
                List<String> found = db.read(tx -> tx.list("""
                        SELECT member_id FROM (
                          SELECT member_id, row_number() OVER (ORDER BY member_id) AS n FROM member_tiers
                           WHERE member_id > $1 ORDER BY member_id LIMIT $2) x
                         WHERE n % $3 = 0 ORDER BY member_id""", r -> r.getString(0), after,
                        (long) scope.chunkMembers() * ENDS_PER_READ, scope.chunkMembers()));
                ends.addAll(found);
                lastEnds = found.size() < ENDS_PER_READ;
            }
            String end = ends.poll();
            Range r = new Range(after, end);
            after = end;
            open = end == null;
            return r;
        }

        /** An open-ended chunk was read: the next one starts after it (null: it was the last). */
        void read(Read read, String position) {
            if (read.range().end() == null) {
                open = false;
                after = position;
            }
        }
    }

    /**
     * One chunk's read, on its own connection, no transaction, no lock: the due members' tier
     * records in member order, and the qualifying day rows of the chunk's members (the tier
     * set's qualifying types, as arrays per member, from a year and a bit before the oldest
     * evaluation on), as two plain index range scans matched up here (no join, so no plan for
     * the planner to get wrong at the end of its statistics). The records come first; when at
     * most half the range is due (the rest settled, or not due), the days are
     * read by member list ({@link #daysOf}) instead of for the whole range, and so they are for
     * an open-ended chunk.
     */
    private Read read(Range range, Scope s) {
        return db.read(tx -> {
            List<Row> rows;
            List<Days> days;
            if (range.end() != null) {
                rows = tx.list(RECORDS + "t.member_id > $1 AND t.member_id <= $9 AND " + DUE + " ORDER BY t.member_id",
                        TierReview::row, args(range.after(), s.due(), range.end()));
                if (rows.size() * 2 <= s.chunkMembers()) {
                    // Few due in the range (the rest settled, or not due): their
                    // days by member list, not the whole range's.
                    return new Read(range, matched(rows, daysOf(tx, rows, s)));
                }
                days = tx.list("""
                        SELECT q.member_id, array_agg(q.day) AS days, array_agg(q.points) AS points FROM qualifying_days q
                         WHERE q.member_id > $1 AND q.member_id <= $2 AND q.point_type = ANY($3)
                           AND q.day >= LEAST($4::date, (SELECT (min(t.evaluated_at) AT TIME ZONE 'UTC')::date - 368
                                                           FROM member_tiers t WHERE t.member_id > $1 AND t.member_id <= $2))
                         GROUP BY q.member_id ORDER BY q.member_id""", TierReview::days,
                        range.after(), range.end(), s.types(), s.floor());
            } else {
                rows = tx.list(RECORDS + "t.member_id > $1 AND " + DUE + " ORDER BY t.member_id LIMIT $9", TierReview::row,
                        args(range.after(), s.due(), s.chunkMembers()));
                days = daysOf(tx, rows, s);
            }
            return new Read(range, matched(rows, days));
        });
    }

    /** The columns of a tier record as {@link #row} reads them; the statement goes on with which members. */
    private static final String RECORDS = "SELECT t.member_id, t.tier, t.since, t.below_since, t.below_reason, t.evaluated_at,"
            + " t.tier_set_version, t.review_at, t.qualifying_points, t.xmin::text AS xmin FROM member_tiers t WHERE ";

    /**
     * Due: the review instant passed ($2: now), or another version than the one in force ($3)
     * while it is pending ($4) or for a row evaluated since {@code recent} ($5: a write in flight),
     * unless the version certainly leaves the row as it is: {@code TierDecision.settled} asked of
     * the stored row (no grace, nothing due: the review instant is later than now, or there is
     * none; not in flight; and qualifying points when evaluated below the bound for its tier and
     * version, looked up by position in $6, the versions that count alike, and $7, the tier names,
     * in $8, the bounds, row-major; a version or tier not there gives no bound). A row written
     * before V24 has no points and is read.
     */
    private static final String DUE = "(t.review_at <= $2 OR (t.tier_set_version <> $3 AND ($4 OR t.evaluated_at >= $5)"
            + " AND NOT (t.below_since IS NULL AND t.evaluated_at < $5"
            + " AND COALESCE(t.qualifying_points, 9223372036854775807) < COALESCE(($8::bigint[])[(array_position($6::bigint[],"
            + " t.tier_set_version) - 1) * cardinality($7::text[]) + array_position($7::text[], t.tier)], 0))))";

    /** A statement's parameters: {@code first}, the due filter's, then {@code last} ($9). */
    private static Object[] args(Object first, Object[] due, Object last) {
        Object[] out = new Object[due.length + (last == null ? 1 : 2)];
        out[0] = first;
        System.arraycopy(due, 0, out, 1, due.length);
        if (last != null) {
            out[out.length - 1] = last;
        }
        return out;
    }

    /**
     * The qualifying day rows of {@code rows}' members, by member list (the open-ended chunks and
     * the retries: members far apart, no range to scan): from a year and a bit before the
     * oldest evaluation among them, or the floor.
     */
    private static List<Days> daysOf(Tx tx, List<Row> rows, Scope s) {
        if (rows.isEmpty()) {
            return List.of();
        }
        java.time.LocalDate today = s.today();
        java.time.LocalDate from = s.floor();
        for (Row r : rows) {
            java.time.LocalDate first = QualifyingPoints.firstDayRead(today, r.stored().evaluatedAt());
            from = first.isBefore(from) ? first : from;
        }
        return tx.list("""
                SELECT q.member_id, array_agg(q.day) AS days, array_agg(q.points) AS points FROM qualifying_days q
                 WHERE q.member_id = ANY($1) AND q.point_type = ANY($2) AND q.day >= $3
                 GROUP BY q.member_id ORDER BY q.member_id""", TierReview::days,
                rows.stream().map(Row::member).toArray(String[]::new), s.types(), from);
    }

    /**
     * Each record with its days, if any (matched by member id: the database's collation orders
     * member ids, not Java's).
     */
    private static List<Due> matched(List<Row> rows, List<Days> days) {
        java.util.Map<String, Days> byMember = java.util.HashMap.newHashMap(days.size());
        for (Days d : days) {
            byMember.put(d.member(), d);
        }
        List<Due> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Days d = byMember.get(r.member());
            out.add(new Due(r.member(), r.stored(), r.reviewAt(), r.version(), r.points(), r.xmin(),
                    d == null ? null : d.days(), d == null ? null : d.points()));
        }
        return out;
    }

    /** A round of retries: the members listed (in member order), and those of them due, as read. */
    private record Retry(List<String> listed, List<Due> due) {
    }

    /**
     * The next {@code chunkMembers} members on the retry list of the pass's version after
     * {@code after}, then their tier records with the due filter (a member written meanwhile is
     * no longer due) and their day rows by member list ({@link #daysOf}): no transaction, no lock,
     * like a chunk's read.
     */
    private Retry retries(String after, Scope s) {
        return db.read(tx -> {
            List<String> listed = tx.list("SELECT member_id FROM tier_review_retries WHERE pass_version = $1"
                            + " AND member_id > $2 ORDER BY member_id LIMIT $3", r -> r.getString("member_id"),
                    s.set().version(), after, s.chunkMembers());
            if (listed.isEmpty()) {
                return new Retry(listed, List.of());
            }
            List<Row> rows = tx.list(RECORDS + "t.member_id = ANY($1) AND " + DUE + " ORDER BY t.member_id", TierReview::row,
                    args(listed.toArray(new String[0]), s.due(), null));
            return new Retry(listed, matched(rows, daysOf(tx, rows, s)));
        });
    }

    /** A tier record as read. */
    private record Row(String member, TierRecord stored, Instant reviewAt, long version, Long points, String xmin) {
    }

    /** A member's qualifying day rows as read (types of one day summed later). */
    private record Days(String member, java.time.LocalDate[] days, Long[] points) {
    }

    private static Row row(io.vertx.mutiny.sqlclient.Row r) {
        return new Row(r.getString("member_id"),
                LedgerStore.tierRecord(r.getString("tier"), Tx.instant(r, "since"), Tx.instant(r, "below_since"),
                        r.getString("below_reason"), Tx.instant(r, "evaluated_at")),
                Tx.instant(r, "review_at"), r.getLong("tier_set_version"), r.getLong("qualifying_points"), r.getString("xmin"));
    }

    private static Days days(io.vertx.mutiny.sqlclient.Row r) {
        return new Days(r.getString("member_id"), r.getArrayOfLocalDates("days"), r.getArrayOfLongs("points"));
    }

    /** Sends reads until READS_IN_FLIGHT are out, the plan has none ready, or {@code more} says stop. */
    private void send(java.util.ArrayDeque<java.util.concurrent.Future<Read>> reads,
                      java.util.concurrent.ExecutorService reader, Plan plan, Scope scope,
                      java.util.function.BooleanSupplier more) {
        while (reads.size() < READS_IN_FLIGHT && plan.ready() && more.getAsBoolean()) {
            Range r = plan.next();
            reads.add(reader.submit(() -> read(r, scope)));
        }
    }

    private static <T> T await(java.util.concurrent.Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /**
     * One chunk, read before ({@link #read}). The core ({@link TierDecision}) decides each member
     * in Java. A member the decision leaves exactly as stored (same tier, since, grace and review
     * instant: the common case of a new tier set version) is not rewritten: reads and writes roll
     * its record forward to the same result. Round trip 1 (with BEGIN) writes the others in ONE
     * statement ({@link LedgerWriter#tiersReviewed}): their account rows locked SKIP LOCKED, each
     * record replaced only if unchanged since the read, with its history and events; the last
     * round trip moves the pass's position, puts the members skipped on the retry list, takes
     * the retried members that were not skipped again off it, and commits.
     */
    /** A chunk decided: the members to rewrite (with the row versions read), out of {@code members}. */
    private record Decided(int members, List<LedgerWriter.TierWrite> writes, List<String> xmins) {
    }

    private static Decided decide(List<Due> due, Scope s) {
        Instant now = s.now();
        TierSets.Version set = s.set();
        List<LedgerWriter.TierWrite> writes = new ArrayList<>();
        List<String> xmins = new ArrayList<>();
        for (Due r : due) {
            TierRecord stored = r.stored();
            Instant storedReviewAt = r.reviewAt();
            java.util.NavigableMap<java.time.LocalDate, Long> days = new java.util.TreeMap<>();
            java.time.LocalDate[] d = r.days();
            Long[] p = r.points();
            for (int i = 0; d != null && i < d.length; i++) {
                days.merge(d[i], p[i], Math::addExact); // a day's qualifying types summed
            }
            TierDecision.Outcome o = TierDecision.asOf(set.tierSet(), stored, days, now, s.zone());
            Instant reviewAt = TierDecision.reviewAt(set.tierSet(), o.record(), days, s.zone());
            boolean asStored = o.changes().isEmpty() && o.record().tier().equals(stored.tier())
                    && o.record().since().equals(stored.since())
                    && java.util.Objects.equals(o.record().belowSince(), stored.belowSince())
                    && o.record().belowReason() == stored.belowReason()
                    && java.util.Objects.equals(reviewAt, storedReviewAt)
                    && (storedReviewAt == null || storedReviewAt.isAfter(now))
                    && r.version() != set.version()
                    && stored.evaluatedAt().isBefore(s.recent())
                    // A row written before V24 is rewritten once, with its qualifying points (see DUE).
                    && r.storedPoints() != null;
            if (!asStored) {
                writes.add(new LedgerWriter.TierWrite(new MemberId(r.member()), o.record(), set.version(),
                        reviewAt, o.changes(), o.qualifyingPoints()));
                xmins.add(r.xmin());
            }
        }
        return new Decided(due.size(), writes, xmins);
    }

    /**
     * {@code last}: the pass's position once this chunk is written ("" in the retry phase: the
     * position stays); {@code listed}: the members read from the retry list (empty while
     * traversing).
     */
    private Chunk write(Tx tx, Decided d, String last, Instant now, long version, List<String> listed) {
        List<LedgerWriter.TierWrite> writes = d.writes();
        List<String> xmins = d.xmins();
        // The members to rewrite, locked and guarded, with history and events (one statement).
        java.util.Set<String> written = java.util.Set.of();
        if (!writes.isEmpty()) {
            var done = writer.tiersReviewed(tx, writes, xmins, now);
            tx.flush();
            written = done.get();
        }
        int changed = 0;
        int changes = 0;
        List<String> skipped = new ArrayList<>();
        for (LedgerWriter.TierWrite w : writes) {
            if (!written.contains(w.member().value())) {
                skipped.add(w.member().value()); // busy (locked), or changed since the read
            } else if (!w.changes().isEmpty()) {
                changed++;
                changes += w.changes().size();
            }
        }
        // The pass's position, the retry list, COMMIT.
        // Only into this version's pass: a run that started under the version before must not move
        // the position of a pass a newer version started meanwhile (nor finish it, see finish).
        // First: every change to the retry list is made holding the checkpoint row, so runs change
        // it one transaction at a time and never wait on each other's list rows (and the list has
        // no foreign key, so a skipped member's account row, locked by a write, is never waited for).
        // pass_skipped is still set for whoever reads it; nothing decides on it any more.
        tx.later("UPDATE tier_review_checkpoints SET after_member = GREATEST(after_member, $2),"
                + " pass_skipped = pass_skipped OR $3 WHERE name = $1 AND pass_version = $4", r -> null, JOB, last,
                !skipped.isEmpty(), version);
        if (!skipped.isEmpty()) {
            // Onto the list, while this version's pass is the one in the checkpoint (a run under
            // the version before must not relabel a member the newer pass listed).
            tx.later("""
                    INSERT INTO tier_review_retries(member_id, pass_version)
                    SELECT m, $2::bigint FROM unnest($1::text[]) m
                     WHERE EXISTS (SELECT 1 FROM tier_review_checkpoints WHERE name = $3 AND pass_version = $2)
                     ORDER BY m
                    ON CONFLICT (member_id) DO UPDATE SET pass_version = EXCLUDED.pass_version
                     WHERE tier_review_retries.pass_version <> EXCLUDED.pass_version""", r -> null,
                    skipped.toArray(new String[0]), version, JOB);
        }
        List<String> cleared = List.of();
        if (!listed.isEmpty()) {
            // Retried: off the list unless skipped again (written, no longer due, or left as it was).
            java.util.Set<String> again = new java.util.HashSet<>(skipped);
            cleared = listed.stream().filter(m -> !again.contains(m)).toList();
            if (!cleared.isEmpty()) {
                tx.later("DELETE FROM tier_review_retries WHERE member_id = ANY($1) AND pass_version = $2", r -> null,
                        cleared.toArray(new String[0]), version);
            }
        }
        return new Chunk(d.members() - skipped.size(), changed, changes, skipped, cleared);
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
