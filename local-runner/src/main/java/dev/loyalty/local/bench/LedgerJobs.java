package dev.loyalty.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.local.LocalSystem;
import dev.loyalty.local.RuntimeApi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The batch jobs against hand-written set-based SQL on the same data: the expire-sweep Lambda
 * (re-invoked until it reports {@code finished}) vs one statement doing the same logical work
 * on copies of the tables, and the full reconcile Lambda vs the raw GROUP BY (each member's
 * entries summed and compared with the account balance).
 */
final class LedgerJobs {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Sweep invocations at most (each has a 20 s budget): bounds a sweep that never finishes. */
    static final int SWEEP_INVOCATIONS_MAX = 500;

    private LedgerJobs() {
    }

    record Timed(long count, double seconds) {
        double perSecond() {
            return count / seconds;
        }
    }

    static long expiredLots(LocalSystem system, Instant now) throws SQLException {
        try (Connection c = system.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM lots WHERE remaining_points > 0 AND expires_at <= ?")) {
            s.setTimestamp(1, Timestamp.from(now));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Copies of the tables the sweep writes, made before the sweep runs: accounts in full, the
     * lots that can expire at all (those with an expiry date), and empty copies of
     * ledger_entries and entry_allocations with the same indexes (no foreign keys: the copies
     * skip the checks the real tables pay for).
     */
    static void copyForRawSweep(LocalSystem system) throws SQLException {
        try (Connection c = system.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_accounts, bench_lots, bench_entries, bench_allocations");
            s.execute("CREATE TABLE bench_accounts AS SELECT * FROM accounts");
            s.execute("ALTER TABLE bench_accounts ADD PRIMARY KEY (member_id)");
            s.execute("CREATE TABLE bench_lots AS SELECT * FROM lots WHERE expires_at IS NOT NULL");
            s.execute("ALTER TABLE bench_lots ADD PRIMARY KEY (member_id, lot_id)");
            s.execute("CREATE INDEX ON bench_lots (expires_at) WHERE remaining_points > 0 AND expires_at IS NOT NULL");
            s.execute("CREATE TABLE bench_entries (LIKE ledger_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            s.execute("CREATE TABLE bench_allocations (LIKE entry_allocations INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            s.execute("ANALYZE bench_accounts");
            s.execute("ANALYZE bench_lots");
        }
    }

    /** The sweep's statement (ExpireSweep.expireChunk) over every member at once, on the copies. */
    static Timed rawSweep(LocalSystem system, Instant now) throws SQLException {
        String sql = """
                WITH exp AS (
                  SELECT l.member_id, l.lot_id, l.remaining_points AS pts, l.point_type,
                         (row_number() OVER (PARTITION BY l.member_id ORDER BY l.expires_at, l.earned_at, l.lot_id) - 1)::int AS position
                  FROM bench_lots l WHERE l.remaining_points > 0 AND l.expires_at <= ?
                ), totals AS (
                  SELECT member_id, SUM(pts) AS total FROM exp GROUP BY member_id
                ), entries AS (
                  INSERT INTO bench_entries(member_id, entry_id, sequence, kind, points, balance_after, point_type,
                                            reference, description, occurred_at, recorded_at)
                  SELECT a.member_id, gen_random_uuid(), a.version + 1, 'EXPIRE', -t.total, a.balance - t.total, NULL,
                         'expire:raw', 'points expired', ?, ?
                  FROM bench_accounts a JOIN totals t ON t.member_id = a.member_id
                  RETURNING member_id, entry_id, balance_after, sequence
                ), allocations AS (
                  INSERT INTO bench_allocations(member_id, entry_id, position, lot_id, points)
                  SELECT x.member_id, e.entry_id, x.position, x.lot_id, x.pts FROM exp x JOIN entries e ON e.member_id = x.member_id
                  RETURNING 1
                ), zeroed AS (
                  UPDATE bench_lots l SET remaining_points = 0 FROM exp x
                  WHERE l.member_id = x.member_id AND l.lot_id = x.lot_id
                  RETURNING 1
                ), moved AS (
                  UPDATE bench_accounts a SET balance = e.balance_after, version = e.sequence, updated_at = ?
                  FROM entries e WHERE a.member_id = e.member_id
                  RETURNING 1
                )
                SELECT (SELECT count(*) FROM zeroed) AS lots, (SELECT count(*) FROM moved) AS members""";
        try (Connection c = system.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            Timestamp t = Timestamp.from(now);
            for (int i = 1; i <= 4; i++) {
                s.setTimestamp(i, t);
            }
            long start = System.nanoTime();
            long lots;
            try (ResultSet r = s.executeQuery()) {
                r.next();
                lots = r.getLong("lots");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            try (Statement drop = c.createStatement()) {
                drop.execute("DROP TABLE bench_accounts, bench_lots, bench_entries, bench_allocations");
            }
            return new Timed(lots, seconds);
        }
    }

    /** The expire-sweep Lambda, invoked with the scheduled event until it answers finished. */
    static Timed sweep(LocalSystem system, Path root) throws Exception {
        String event = Files.readString(root.resolve("events/samples/scheduled/expire-sweep.json"));
        long lots = 0;
        long start = System.nanoTime();
        for (int i = 0; i < SWEEP_INVOCATIONS_MAX; i++) {
            RuntimeApi.Result r = system.function("expire-sweep").invoke(event);
            if (r.functionError()) {
                throw new IllegalStateException("expire-sweep failed: " + r.body());
            }
            JsonNode report = JSON.readTree(r.body());
            lots += report.path("lotsExpired").asLong();
            if (report.path("finished").asBoolean()) {
                return new Timed(lots, (System.nanoTime() - start) / 1e9);
            }
        }
        throw new IllegalStateException("expire-sweep not finished after " + SWEEP_INVOCATIONS_MAX + " invocations");
    }

    /** The full reconcile Lambda; it must find no discrepancy. {@code count} = members checked. */
    static Timed reconcile(LocalSystem system, Path root) throws Exception {
        String event = Files.readString(root.resolve("events/samples/scheduled/reconcile.json"));
        long start = System.nanoTime();
        RuntimeApi.Result r = system.function("reconcile").invoke(event);
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonNode report = JSON.readTree(r.body());
        if (r.functionError() || !report.path("finished").asBoolean() || report.path("discrepancyCount").asLong(-1) != 0) {
            throw new IllegalStateException("reconcile failed or found discrepancies: " + r.body());
        }
        return new Timed(report.path("membersChecked").asLong(), seconds);
    }

    /** The raw aggregate: every member's entries summed and compared with the balance, in one GROUP BY. */
    static Timed rawGroupBy(LocalSystem system) throws SQLException {
        try (Connection c = system.dataSource().getConnection(); Statement s = c.createStatement()) {
            long start = System.nanoTime();
            try (ResultSet r = s.executeQuery("""
                    SELECT count(*) AS members, count(*) FILTER (WHERE a.balance IS DISTINCT FROM e.total) AS discrepancies
                    FROM accounts a FULL JOIN (SELECT member_id, SUM(points) AS total FROM ledger_entries GROUP BY member_id) e
                      ON e.member_id = a.member_id""")) {
                r.next();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (r.getLong("discrepancies") != 0) {
                    throw new IllegalStateException("raw GROUP BY found " + r.getLong("discrepancies") + " discrepancies");
                }
                return new Timed(r.getLong("members"), seconds);
            }
        }
    }

    /** The tier state seeded: members with a tier record, those of them at SILVER or GOLD, and at GOLD. */
    record TierSeed(long members, long spread, long gold) {
    }

    /**
     * Tier state for the seeded data set, set-based, as the app would have left it after
     * evaluating every member a day ago under the bench's tier set (the version in force;
     * {@code tiers}, the same set, gives the review instant the core computes): every EARN's
     * qualifying day rows (its occurredAt day, UTC), which give every seeded member 70 points; a
     * spread over the tiers, three in ten seeded members with purchases 30 days ago (730 more
     * points, SILVER, for two; 2,430 more, GOLD, for the third); a tier record per account with
     * the qualifying points it was evaluated with (V24), and for SILVER and GOLD the instant those
     * purchases leave the window (when their points fall below SILVER's threshold).
     */
    static TierSeed seedTiers(LocalSystem system, dev.loyalty.core.tiers.TierSet tiers) throws SQLException {
        try (Connection c = system.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO qualifying_days(member_id, day, point_type, points)
                    SELECT member_id, (occurred_at AT TIME ZONE 'UTC')::date, point_type, SUM(points)
                      FROM ledger_entries WHERE kind = 'EARN' GROUP BY 1, 2, 3
                    ON CONFLICT (member_id, day, point_type) DO NOTHING""");
            s.execute("""
                    INSERT INTO qualifying_days(member_id, day, point_type, points)
                    SELECT member_id, current_date - 30, 'PURCHASE', CASE WHEN n % 10 < 2 THEN 730 ELSE 2430 END
                      FROM (SELECT member_id, substr(member_id, 6)::bigint AS n FROM accounts WHERE member_id LIKE 'seed-%') a
                     WHERE n % 10 < 3
                    ON CONFLICT (member_id, day, point_type) DO UPDATE SET points = qualifying_days.points + EXCLUDED.points""");
            long version;
            java.time.LocalDate today;
            try (ResultSet r = s.executeQuery("SELECT (SELECT max(version) FROM tier_sets), current_date")) {
                r.next();
                version = r.getLong(1);
                today = r.getObject(2, java.time.LocalDate.class);
            }
            // A SILVER member's record and days as the seed leaves them: the core's review instant.
            Instant evaluated = Instant.now().minus(java.time.Duration.ofDays(1));
            java.util.NavigableMap<java.time.LocalDate, Long> days = new java.util.TreeMap<>(java.util.Map.of(
                    today.minusDays(30), 730L, today.minusDays(1), 70L));
            Instant reviewAt = dev.loyalty.core.tiers.TierDecision.reviewAt(tiers,
                    new dev.loyalty.core.tiers.TierRecord("SILVER", evaluated, null, null, evaluated), days, ZoneOffset.UTC);
            long silver = tiers.tiers().get(1).threshold();
            long gold = tiers.tiers().get(2).threshold();
            try (var insert = c.prepareStatement("""
                    INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at,
                                             qualifying_points)
                    SELECT a.member_id,
                           CASE WHEN q.points >= ?::bigint THEN 'GOLD' WHEN q.points >= ?::bigint THEN 'SILVER' ELSE 'MEMBER' END,
                           CASE WHEN q.points >= ?::bigint THEN ?::timestamptz ELSE a.created_at END, NULL, ?::timestamptz,
                           ?::bigint, CASE WHEN q.points >= ?::bigint THEN ?::timestamptz END, q.points
                      FROM accounts a CROSS JOIN LATERAL (SELECT COALESCE(SUM(d.points), 0) AS points FROM qualifying_days d
                                                           WHERE d.member_id = a.member_id AND d.day >= ?::date - 367
                                                             AND d.point_type IN ('PURCHASE', 'BONUS')) q
                    ON CONFLICT (member_id) DO UPDATE SET tier = EXCLUDED.tier, since = EXCLUDED.since, below_since = NULL,
                           below_reason = NULL, evaluated_at = EXCLUDED.evaluated_at,
                           tier_set_version = EXCLUDED.tier_set_version, review_at = EXCLUDED.review_at,
                           qualifying_points = EXCLUDED.qualifying_points""")) {
                java.sql.Timestamp at = java.sql.Timestamp.from(evaluated);
                insert.setLong(1, gold);
                insert.setLong(2, silver);
                insert.setLong(3, silver);
                insert.setTimestamp(4, at);
                insert.setTimestamp(5, at);
                insert.setLong(6, version);
                insert.setLong(7, silver);
                insert.setTimestamp(8, java.sql.Timestamp.from(reviewAt));
                insert.setObject(9, today);
                insert.executeUpdate();
            }
            s.execute("VACUUM ANALYZE qualifying_days");
            s.execute("VACUUM ANALYZE member_tiers");
            try (ResultSet r = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE tier <> 'MEMBER'),"
                    + " count(*) FILTER (WHERE tier = 'GOLD') FROM member_tiers")) {
                r.next();
                return new TierSeed(r.getLong(1), r.getLong(2), r.getLong(3));
            }
        }
    }

    /** The raw statement: every member's qualifying points over the last twelve months, in one GROUP BY. */
    static Timed rawQualifying(LocalSystem system, List<String> pointTypes) throws SQLException {
        try (Connection c = system.dataSource().getConnection();
             var s = c.prepareStatement("""
                     SELECT count(*) AS members, SUM(q) AS points FROM (
                       SELECT a.member_id, COALESCE(SUM(d.points) FILTER (WHERE d.day > current_date - interval '1 year'
                              AND d.point_type = ANY(?)), 0) AS q
                         FROM accounts a LEFT JOIN qualifying_days d ON d.member_id = a.member_id
                        GROUP BY a.member_id) x""")) {
            s.setArray(1, c.createArrayOf("text", pointTypes.toArray()));
            long start = System.nanoTime();
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new Timed(r.getLong("members"), (System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** The tier-review Lambda, invoked with the scheduled event until it answers finished; count: members reviewed. */
    static Timed tierReview(LocalSystem system, Path root) throws Exception {
        String event = Files.readString(root.resolve("events/samples/scheduled/tier-review.json"));
        long start = System.nanoTime();
        long reviewed = 0;
        for (int i = 0; i < SWEEP_INVOCATIONS_MAX; i++) {
            RuntimeApi.Result r = system.function("tier-review").invoke(event);
            JsonNode report = JSON.readTree(r.body());
            if (r.functionError()) {
                throw new IllegalStateException("tier-review failed: " + r.body());
            }
            reviewed += report.path("membersReviewed").asLong();
            if (report.path("finished").asBoolean()) {
                return new Timed(reviewed, (System.nanoTime() - start) / 1e9);
            }
        }
        throw new IllegalStateException("tier-review not finished after " + SWEEP_INVOCATIONS_MAX + " invocations");
    }

    /**
     * The report-rollup Lambda, invoked with the scheduled event until it answers finished (it
     * stops after its time budget and resumes); count: entries rolled. The data set was committed
     * before, so the bench restarts it with no settle time (deployed: 15 minutes after recording).
     */
    static Timed reportRollup(LocalSystem system, Path root) throws Exception {
        system.restartFunction("report-rollup", java.util.Map.of("LOYALTY_SCHEDULES_REPORT_ROLLUP_SETTLE_SECONDS", "0"), "settled");
        String event = Files.readString(root.resolve("events/samples/scheduled/report-rollup.json"));
        long start = System.nanoTime();
        long entries = 0;
        for (int i = 0; i < SWEEP_INVOCATIONS_MAX; i++) {
            RuntimeApi.Result r = system.function("report-rollup").invoke(event);
            if (r.functionError()) {
                throw new IllegalStateException("report-rollup failed: " + r.body());
            }
            JsonNode report = JSON.readTree(r.body());
            entries += report.path("entriesRolled").asLong() + report.path("lateEntries").asLong();
            if (report.path("finished").asBoolean()) {
                return new Timed(entries, (System.nanoTime() - start) / 1e9);
            }
        }
        throw new IllegalStateException("report-rollup not finished after " + SWEEP_INVOCATIONS_MAX + " invocations");
    }
}
