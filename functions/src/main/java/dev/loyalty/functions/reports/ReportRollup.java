package dev.loyalty.functions.reports;

import dev.loyalty.functions.config.LoyaltyConfig;
import dev.loyalty.functions.schedule.ScheduleConfig;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Tx;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The scheduled {@code report-rollup} (issue 20): folds CLOSED days of the program's time zone
 * into {@code report_rollup_days}, {@code report_rollup_day_types} and {@code report_member_days}
 * (migration V21), so the activity and funnel reports read the rollup for those days and the
 * ledger only for the open part of their window. No write path touches these tables.
 *
 * <p>The invariant (per zone, {@code report_rollup_checkpoints}): every day before
 * {@code rolled_until} holds exactly its entries recorded before {@code watermark} (and its reward
 * redemptions); {@link ProgramReports} adds the entries recorded since from the ledger. Each run
 * takes steps, one transaction each, in this order:
 * <ol>
 *   <li>a day being rolled in member ranges: its next range (a day with more than
 *       {@code partEntries} entries is rolled in ranges of {@code chunkMembers} accounts, so each
 *       statement stays bounded); after the last range the day counts as rolled and
 *       {@code rolled_until} jumps to the next day with data (never past the watermark's day);</li>
 *   <li>else, when the watermark is behind {@code now - settle}: the entries recorded since it
 *       whose day is rolled (late events, imports, a late sweep) are folded in (totals added, the
 *       members' day rows recomputed from the ledger), and the watermark moves (at most
 *       {@code absorbMaxSeconds} of recording time per step);</li>
 *   <li>else, when the day {@code rolled_until} has ended before the watermark: it is rolled (a
 *       small day at once, a large one starts its member ranges).</li>
 * </ol>
 * Each step locks the zone's checkpoint row {@code FOR UPDATE SKIP LOCKED} and moves it in the same
 * transaction as its rows: a second run at the same time finds it locked and stops ("busy"); a run
 * that stops (time budget, crash) leaves a consistent state the next run continues from; a run
 * with nothing to do changes nothing. The settle time covers the transaction timeout: an entry
 * recorded before the watermark was committed when the rollup read.
 */
@ApplicationScoped
public class ReportRollup {
    static final String JOB = "report-rollup";

    private final Db db;
    private final ZoneId zone;
    private final ScheduleConfig.ReportRollup config;
    private final Clock clock;

    public ReportRollup(Db db, LoyaltyConfig loyalty, ScheduleConfig config, Clock clock) {
        this.db = db;
        this.zone = loyalty.program().timeZone();
        this.config = config.reportRollup();
        this.clock = clock;
    }

    @RegisterForReflection
    public record Report(String job, String timeZone, LocalDate rolledUntil, Instant watermark, int daysRolled, int ranges,
                         long entriesRolled, long lateEntries, int steps, long elapsedMs, boolean finished, boolean busy) {
    }

    /** What one step did. */
    enum Kind { RANGE, DAY, ABSORB, DONE, BUSY }

    record Step(Kind kind, long entries, boolean dayRolled) {
    }

    record Checkpoint(LocalDate rolledUntil, Instant watermark, String partAfter) {
    }

    public Report run() {
        return run(config.partEntries(), config.chunkMembers(), config.timeBudgetMs(), Integer.MAX_VALUE);
    }

    /** {@code stepsMax}: stop after this many steps (tests interrupt a run with it). */
    public Report run(long partEntries, int chunkMembers, long timeBudgetMs, int stepsMax) {
        long start = System.nanoTime();
        int steps = 0;
        int days = 0;
        int ranges = 0;
        long entries = 0;
        long late = 0;
        boolean finished = false;
        boolean busy = false;
        // One instant per run: the watermark moves at most to its now - settle, once, so a run
        // absorbs once and then rolls the days that closed by then (a clock read per step would
        // find the watermark behind again after every step).
        // To the microsecond, as PostgreSQL stores it: the watermark read back must equal it.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        while ((System.nanoTime() - start) / 1_000_000 < timeBudgetMs && steps < stepsMax) {
            Step s = db.inTransaction(tx -> step(tx, now, partEntries, chunkMembers));
            if (s.kind() == Kind.DONE) {
                finished = true;
                break;
            }
            if (s.kind() == Kind.BUSY) {
                busy = true;
                break;
            }
            steps++;
            switch (s.kind()) {
                case ABSORB -> late += s.entries();
                case RANGE -> {
                    ranges++;
                    entries += s.entries();
                }
                default -> entries += s.entries();
            }
            if (s.dayRolled()) {
                days++;
            }
        }
        Optional<Checkpoint> cp = db.read(tx -> checkpoint(tx, false));
        return new Report(JOB, zone.getId(), cp.map(Checkpoint::rolledUntil).orElse(null), cp.map(Checkpoint::watermark).orElse(null),
                days, ranges, entries, late, steps, (System.nanoTime() - start) / 1_000_000, finished, busy);
    }

    private Optional<Checkpoint> checkpoint(Tx tx, boolean lock) {
        return tx.one("SELECT rolled_until, watermark, part_after FROM report_rollup_checkpoints WHERE zone = $1"
                        + (lock ? " FOR UPDATE SKIP LOCKED" : ""),
                r -> new Checkpoint(r.getLocalDate("rolled_until"), Tx.instant(r, "watermark"), r.getString("part_after")),
                zone.getId());
    }

    Step step(Tx tx, Instant now, long partEntries, int chunkMembers) {
        Instant settled = now.minusSeconds(config.settleSeconds());
        // The first run: start at the first day with data (or today), the watermark at now - settle.
        tx.query("""
                INSERT INTO report_rollup_checkpoints(zone, rolled_until, watermark, part_after, updated_at)
                SELECT $1::text, COALESCE(LEAST((SELECT (MIN(occurred_at) AT TIME ZONE $1::text)::date FROM ledger_entries),
                                          (SELECT (MIN(created_at) AT TIME ZONE $1::text)::date FROM redemptions)), $2), $3, NULL, $4
                WHERE NOT EXISTS (SELECT 1 FROM report_rollup_checkpoints WHERE zone = $1::text)
                ON CONFLICT (zone) DO NOTHING""", zone.getId(), settled.atZone(zone).toLocalDate(), settled, now);
        Optional<Checkpoint> locked = checkpoint(tx, true);
        if (locked.isEmpty()) {
            return new Step(Kind.BUSY, 0, false);
        }
        Checkpoint cp = locked.get();
        LocalDate day = cp.rolledUntil();
        if (cp.partAfter() != null) {
            // The next member range of a large day: (after, upto], the last one unbounded.
            String upto = tx.one("SELECT member_id FROM accounts WHERE member_id > $1 ORDER BY member_id OFFSET $2 LIMIT 1",
                    r -> r.getString("member_id"), cp.partAfter(), chunkMembers - 1).orElse(null);
            long n = roll(tx, day, cp.watermark(), cp.partAfter(), upto);
            if (upto == null) {
                dayRolled(tx, day, cp.watermark(), now);
            } else {
                tx.query("UPDATE report_rollup_checkpoints SET part_after = $2, updated_at = $3 WHERE zone = $1", zone.getId(), upto, now);
            }
            return new Step(Kind.RANGE, n, upto == null);
        }
        if (cp.watermark().isBefore(settled)) {
            Instant until = settled.isAfter(cp.watermark().plusSeconds(config.absorbMaxSeconds()))
                    ? cp.watermark().plusSeconds(config.absorbMaxSeconds()) : settled;
            long n = absorb(tx, cp.watermark(), until, start(day));
            tx.query("UPDATE report_rollup_checkpoints SET watermark = $2, updated_at = $3 WHERE zone = $1", zone.getId(), until, now);
            return new Step(Kind.ABSORB, n, false);
        }
        if (start(day.plusDays(1)).isAfter(cp.watermark())) {
            return new Step(Kind.DONE, 0, false); // the day has not closed (before the watermark)
        }
        long size = tx.one("SELECT COUNT(*) AS n FROM ledger_entries WHERE occurred_at >= $1 AND occurred_at < $2 AND recorded_at < $3",
                r -> r.getLong("n"), start(day), start(day.plusDays(1)), cp.watermark()).orElse(0L);
        if (size > partEntries) {
            tx.query("UPDATE report_rollup_checkpoints SET part_after = '', updated_at = $2 WHERE zone = $1", zone.getId(), now);
            return new Step(Kind.DAY, 0, false);
        }
        long n = size == 0 ? 0 : roll(tx, day, cp.watermark(), "", null);
        dayRolled(tx, day, cp.watermark(), now);
        return new Step(Kind.DAY, n, true);
    }

    private Instant start(LocalDate day) {
        return day.atStartOfDay(zone).toInstant();
    }

    /** The day is rolled: the checkpoint moves to the next day with data, at most the watermark's day. */
    private void dayRolled(Tx tx, LocalDate day, Instant watermark, Instant now) {
        LocalDate limit = watermark.atZone(zone).toLocalDate();
        LocalDate next = tx.one("""
                SELECT LEAST((SELECT (MIN(occurred_at) AT TIME ZONE $1::text)::date FROM ledger_entries WHERE occurred_at >= $2),
                             (SELECT (MIN(created_at) AT TIME ZONE $1::text)::date FROM redemptions WHERE created_at >= $2)) AS next""",
                r -> Optional.ofNullable(r.getLocalDate("next")), zone.getId(), start(day.plusDays(1))) // null: no data after
                .flatMap(n -> n).orElse(null);
        LocalDate until = next == null || next.isAfter(limit) ? limit : next;
        if (!until.isAfter(day)) {
            until = day.plusDays(1);
        }
        tx.query("UPDATE report_rollup_checkpoints SET rolled_until = $2, part_after = NULL, updated_at = $3 WHERE zone = $1",
                zone.getId(), until, now);
    }

    /**
     * The rows of {@code day} for the members in (after, upto] ({@code upto} null: no upper
     * bound): its entries recorded before the watermark and its reward redemptions. Member ranges
     * are disjoint, so totals and active members add.
     */
    static final String ROLL_SQL = """
            WITH ev AS (
              SELECT member_id, entry_id, kind, points, point_type, occurred_at FROM ledger_entries
              WHERE occurred_at >= $1 AND occurred_at < $2 AND recorded_at < $3
                AND member_id > $4 AND ($5::varchar IS NULL OR member_id <= $5)
            ),
            u AS (
              SELECT member_id, occurred_at AS at, CASE kind WHEN 'EARN' THEN 'E' WHEN 'REDEEM' THEN 'S' ELSE 'O' END AS k, 1 AS n
              FROM ev
              UNION ALL
              SELECT member_id, created_at, 'S', 0 FROM redemptions
              WHERE created_at >= $1 AND created_at < $2 AND member_id > $4 AND ($5::varchar IS NULL OR member_id <= $5)
            ),
            w AS (SELECT member_id, at, k, n, MIN(at) FILTER (WHERE k = 'E') OVER (PARTITION BY member_id) AS fe FROM u),
            md AS (
              INSERT INTO report_member_days AS m (member_id, zone, day, entries, first_earn_at, first_spend_at, first_spend_after_earn_at)
              SELECT member_id, $6::text, $7, SUM(n), MIN(fe), MIN(at) FILTER (WHERE k = 'S'), MIN(at) FILTER (WHERE k = 'S' AND at >= fe)
              FROM w GROUP BY member_id
              ON CONFLICT (member_id, zone, day) DO UPDATE SET entries = EXCLUDED.entries, first_earn_at = EXCLUDED.first_earn_at,
                first_spend_at = EXCLUDED.first_spend_at, first_spend_after_earn_at = EXCLUDED.first_spend_after_earn_at
              RETURNING entries
            ),
            t AS (
              SELECT COALESCE(SUM(points) FILTER (WHERE kind = 'EARN'), 0) AS issued,
                     COALESCE(-SUM(points) FILTER (WHERE kind = 'REDEEM'), 0) AS redeemed,
                     COALESCE(-SUM(points) FILTER (WHERE kind = 'EXPIRE'), 0) AS expired,
                     COALESCE(SUM(abs(points)) FILTER (WHERE kind = 'REVERSAL'), 0) AS reversed,
                     COALESCE(-SUM(points) FILTER (WHERE kind = 'RETURN'), 0) AS returned,
                     COALESCE(SUM(points) FILTER (WHERE kind = 'ADJUSTMENT'), 0) AS adjusted
              FROM ev
            ),
            d AS (
              INSERT INTO report_rollup_days AS d (zone, day, issued, redeemed, expired, reversed, returned, adjusted, active_members)
              SELECT $6::text, $7, issued, redeemed, expired, reversed, returned, adjusted, (SELECT COUNT(*) FROM md WHERE entries > 0) FROM t
              ON CONFLICT (zone, day) DO UPDATE SET issued = d.issued + EXCLUDED.issued, redeemed = d.redeemed + EXCLUDED.redeemed,
                expired = d.expired + EXCLUDED.expired, reversed = d.reversed + EXCLUDED.reversed,
                returned = d.returned + EXCLUDED.returned, adjusted = d.adjusted + EXCLUDED.adjusted,
                active_members = d.active_members + EXCLUDED.active_members
            ),
            ty AS (
              SELECT point_type, points AS issued, 0::bigint AS redeemed, 0::bigint AS expired FROM ev WHERE kind = 'EARN'
              UNION ALL
              SELECT l.point_type, 0, CASE WHEN e.kind = 'REDEEM' THEN a.points ELSE 0 END, CASE WHEN e.kind = 'EXPIRE' THEN a.points ELSE 0 END
              FROM ev e
              JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id
              JOIN lots l ON l.member_id = a.member_id AND l.lot_id = a.lot_id
              WHERE e.kind IN ('REDEEM', 'EXPIRE')
            ),
            tys AS (
              INSERT INTO report_rollup_day_types AS x (zone, day, point_type, issued, redeemed, expired)
              SELECT $6::text, $7, point_type, SUM(issued), SUM(redeemed), SUM(expired) FROM ty GROUP BY point_type
              ON CONFLICT (zone, day, point_type) DO UPDATE SET issued = x.issued + EXCLUDED.issued,
                redeemed = x.redeemed + EXCLUDED.redeemed, expired = x.expired + EXCLUDED.expired
            )
            SELECT COUNT(*) AS n FROM ev""";

    private long roll(Tx tx, LocalDate day, Instant watermark, String after, String upto) {
        return tx.one(ROLL_SQL, r -> r.getLong("n"), start(day), start(day.plusDays(1)), watermark, after, upto, zone.getId(), day)
                .orElse(0L);
    }

    /**
     * Entries recorded in [{@code $1}, {@code $2}) whose day is rolled (before {@code $3}): their
     * points are added to their days' totals, and their members' rows of those days are computed
     * again from the ledger (entries recorded before {@code $2}), so the rows stay exact; a
     * member's first entry of a day adds one active member.
     */
    static final String ABSORB_SQL = """
            WITH late AS (
              SELECT member_id, entry_id, kind, points, point_type, (occurred_at AT TIME ZONE $4::text)::date AS day FROM ledger_entries
              WHERE recorded_at >= $1 AND recorded_at < $2 AND occurred_at < $3
            ),
            pairs AS (SELECT DISTINCT member_id, day FROM late),
            u AS (
              SELECT e.member_id, p.day, e.occurred_at AS at,
                     CASE e.kind WHEN 'EARN' THEN 'E' WHEN 'REDEEM' THEN 'S' ELSE 'O' END AS k, 1 AS n
              FROM pairs p JOIN ledger_entries e ON e.member_id = p.member_id
               AND e.occurred_at >= (p.day::timestamp AT TIME ZONE $4::text) AND e.occurred_at < ((p.day + 1)::timestamp AT TIME ZONE $4::text)
               AND e.recorded_at < $2
              UNION ALL
              SELECT r.member_id, p.day, r.created_at, 'S', 0
              FROM pairs p JOIN redemptions r ON r.member_id = p.member_id
               AND r.created_at >= (p.day::timestamp AT TIME ZONE $4::text) AND r.created_at < ((p.day + 1)::timestamp AT TIME ZONE $4::text)
            ),
            w AS (SELECT member_id, day, at, k, n, MIN(at) FILTER (WHERE k = 'E') OVER (PARTITION BY member_id, day) AS fe FROM u),
            fresh AS (
              SELECT p.day, COUNT(*) AS n FROM pairs p
              WHERE NOT EXISTS (SELECT 1 FROM report_member_days m
                                WHERE m.member_id = p.member_id AND m.zone = $4::text AND m.day = p.day AND m.entries > 0)
              GROUP BY p.day
            ),
            md AS (
              INSERT INTO report_member_days AS m (member_id, zone, day, entries, first_earn_at, first_spend_at, first_spend_after_earn_at)
              SELECT member_id, $4::text, day, SUM(n), MIN(fe), MIN(at) FILTER (WHERE k = 'S'), MIN(at) FILTER (WHERE k = 'S' AND at >= fe)
              FROM w GROUP BY member_id, day
              ON CONFLICT (member_id, zone, day) DO UPDATE SET entries = EXCLUDED.entries, first_earn_at = EXCLUDED.first_earn_at,
                first_spend_at = EXCLUDED.first_spend_at, first_spend_after_earn_at = EXCLUDED.first_spend_after_earn_at
            ),
            t AS (
              SELECT day, COALESCE(SUM(points) FILTER (WHERE kind = 'EARN'), 0) AS issued,
                     COALESCE(-SUM(points) FILTER (WHERE kind = 'REDEEM'), 0) AS redeemed,
                     COALESCE(-SUM(points) FILTER (WHERE kind = 'EXPIRE'), 0) AS expired,
                     COALESCE(SUM(abs(points)) FILTER (WHERE kind = 'REVERSAL'), 0) AS reversed,
                     COALESCE(-SUM(points) FILTER (WHERE kind = 'RETURN'), 0) AS returned,
                     COALESCE(SUM(points) FILTER (WHERE kind = 'ADJUSTMENT'), 0) AS adjusted
              FROM late GROUP BY day
            ),
            d AS (
              INSERT INTO report_rollup_days AS d (zone, day, issued, redeemed, expired, reversed, returned, adjusted, active_members)
              SELECT $4::text, t.day, issued, redeemed, expired, reversed, returned, adjusted, COALESCE(f.n, 0)
              FROM t LEFT JOIN fresh f ON f.day = t.day
              ON CONFLICT (zone, day) DO UPDATE SET issued = d.issued + EXCLUDED.issued, redeemed = d.redeemed + EXCLUDED.redeemed,
                expired = d.expired + EXCLUDED.expired, reversed = d.reversed + EXCLUDED.reversed,
                returned = d.returned + EXCLUDED.returned, adjusted = d.adjusted + EXCLUDED.adjusted,
                active_members = d.active_members + EXCLUDED.active_members
            ),
            ty AS (
              SELECT day, point_type, points AS issued, 0::bigint AS redeemed, 0::bigint AS expired FROM late WHERE kind = 'EARN'
              UNION ALL
              SELECT e.day, l.point_type, 0, CASE WHEN e.kind = 'REDEEM' THEN a.points ELSE 0 END,
                     CASE WHEN e.kind = 'EXPIRE' THEN a.points ELSE 0 END
              FROM late e
              JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id
              JOIN lots l ON l.member_id = a.member_id AND l.lot_id = a.lot_id
              WHERE e.kind IN ('REDEEM', 'EXPIRE')
            ),
            tys AS (
              INSERT INTO report_rollup_day_types AS x (zone, day, point_type, issued, redeemed, expired)
              SELECT $4::text, day, point_type, SUM(issued), SUM(redeemed), SUM(expired) FROM ty GROUP BY day, point_type
              ON CONFLICT (zone, day, point_type) DO UPDATE SET issued = x.issued + EXCLUDED.issued,
                redeemed = x.redeemed + EXCLUDED.redeemed, expired = x.expired + EXCLUDED.expired
            )
            SELECT COUNT(*) AS n FROM late""";

    private long absorb(Tx tx, Instant from, Instant until, Instant rolledEnd) {
        return tx.one(ABSORB_SQL, r -> r.getLong("n"), from, until, rolledEnd, zone.getId()).orElse(0L);
    }
}
