package dev.loyalty.functions.schedule;

import dev.loyalty.functions.store.Db;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expiry sweep: set-based SQL in bounded chunks of members, each chunk one transaction,
 * within a time budget.
 *
 * <p>A chunk locks its members' account rows with {@code FOR UPDATE SKIP LOCKED}: a member
 * busy with a write, or taken by a concurrent sweep, is left for the next pass, and writers
 * and sweeps never interleave on one member. Within the chunk one statement writes one EXPIRE
 * entry per member (with an allocation per lot), zeroes the lots and moves the account, so a
 * lot can never be expired twice. The work queue is the data itself (lots past expiry with
 * points left), so an unfinished run needs no checkpoint: the next invocation resumes.
 */
@ApplicationScoped
public class ExpireSweep {
    private final Db db;
    private final ScheduleConfig config;
    private final Clock clock;

    public ExpireSweep(Db db, ScheduleConfig config, Clock clock) {
        this.db = db;
        this.config = config;
        this.clock = clock;
    }

    @RegisterForReflection
    public record Report(String job, Instant asOf, long membersTouched, long lotsExpired, Map<String, Long> pointsExpiredByType,
                         long holdsReleased, int chunks, long elapsedMs, boolean finished) {
    }

    /** {@code skipped}: candidates locked by a writer or another sweep, left for the next run. */
    private record Chunk(long members, long lots, Map<String, Long> byType, String lastCandidate, int candidates, int skipped) {
    }

    public Report run() {
        return run(config.expireSweep().chunkMembers(), config.expireSweep().timeBudgetMs());
    }

    public Report run(int chunkMembers, long timeBudgetMs) {
        long startNanos = System.nanoTime();
        Instant now = clock.instant();
        long members = 0;
        long lots = 0;
        long holds = 0;
        int chunks = 0;
        int skipped = 0;
        Map<String, Long> byType = new TreeMap<>();
        String cursor = "";
        boolean finished = false;
        while (elapsedMs(startNanos) < timeBudgetMs) {
            String from = cursor;
            Chunk c = db.inTransaction(tx -> expireChunk(tx, from, now, chunkMembers));
            chunks++;
            skipped += c.skipped();
            members += c.members();
            lots += c.lots();
            c.byType().forEach((k, v) -> byType.merge(k, v, Math::addExact));
            if (c.candidates() < chunkMembers) {
                finished = true;
                break;
            }
            cursor = c.lastCandidate();
        }
        // Holds past their TTL: released in bounded chunks too (they change no balance).
        boolean holdsDone = false;
        while (elapsedMs(startNanos) < timeBudgetMs) {
            long released = db.inTransaction(tx -> releaseHolds(tx, now, chunkMembers));
            holds += released;
            if (released == 0) {
                holdsDone = true;
                break;
            }
        }
        return new Report("expire-sweep", now, members, lots, byType, holds, chunks, elapsedMs(startNanos),
                finished && holdsDone && skipped == 0);
    }

    private Chunk expireChunk(dev.loyalty.functions.store.Tx tx, String cursor, Instant now, int chunkMembers) {
        List<String> candidates = tx.list("SELECT DISTINCT member_id FROM lots WHERE remaining_points > 0"
                        + " AND expires_at <= $1 AND member_id > $2 ORDER BY member_id LIMIT $3",
                r -> r.getString("member_id"), now, cursor, chunkMembers);
        if (candidates.isEmpty()) {
            return new Chunk(0, 0, Map.of(), cursor, 0, 0);
        }
        String[] ids = candidates.toArray(new String[0]);
        List<String> locked = tx.list("SELECT member_id FROM accounts WHERE member_id = ANY($1) ORDER BY member_id"
                + " FOR UPDATE SKIP LOCKED", r -> r.getString("member_id"), (Object) ids);
        if (locked.isEmpty()) {
            return new Chunk(0, 0, Map.of(), candidates.get(candidates.size() - 1), candidates.size(), candidates.size());
        }
        var row = tx.query("""
                WITH exp AS (
                  SELECT l.member_id, l.lot_id, l.remaining_points AS pts, l.point_type,
                         (row_number() OVER (PARTITION BY l.member_id ORDER BY l.expires_at, l.earned_at, l.lot_id) - 1)::int AS position
                  FROM lots l
                  WHERE l.member_id = ANY($1) AND l.remaining_points > 0 AND l.expires_at <= $2
                ), totals AS (
                  SELECT member_id, SUM(pts) AS total FROM exp GROUP BY member_id
                ), entries AS (
                  INSERT INTO ledger_entries(member_id, entry_id, sequence, kind, points, balance_after, point_type,
                                             reference, description, occurred_at, recorded_at)
                  SELECT a.member_id, gen_random_uuid(), a.version + 1, 'EXPIRE', -t.total, a.balance - t.total, NULL,
                         $3, 'points expired', $2, $2
                  FROM accounts a JOIN totals t ON t.member_id = a.member_id
                  RETURNING member_id, entry_id, balance_after, sequence
                ), allocations AS (
                  INSERT INTO entry_allocations(member_id, entry_id, position, lot_id, points)
                  SELECT x.member_id, e.entry_id, x.position, x.lot_id, x.pts FROM exp x JOIN entries e ON e.member_id = x.member_id
                  RETURNING 1
                ), zeroed AS (
                  UPDATE lots l SET remaining_points = 0 FROM exp x
                  WHERE l.member_id = x.member_id AND l.lot_id = x.lot_id
                  RETURNING 1
                ), moved AS (
                  UPDATE accounts a SET balance = e.balance_after, version = e.sequence, updated_at = $2
                  FROM entries e WHERE a.member_id = e.member_id
                  RETURNING 1
                )
                SELECT (SELECT count(*) FROM moved) AS members, (SELECT count(*) FROM zeroed) AS lots,
                       (SELECT count(*) FROM allocations) AS allocations,
                       (SELECT json_object_agg(point_type, total) FROM
                          (SELECT point_type, SUM(pts) AS total FROM exp GROUP BY point_type) t)::text AS by_type
                """, locked.toArray(new String[0]), now, "expire:" + now.toEpochMilli()).iterator().next();
        Map<String, Long> byType = new TreeMap<>();
        String json = row.getString("by_type");
        if (json != null) {
            new JsonObject(json).forEach(e -> byType.put(e.getKey(), ((Number) e.getValue()).longValue()));
        }
        return new Chunk(row.getLong("members"), row.getLong("lots"), byType, candidates.get(candidates.size() - 1),
                candidates.size(), candidates.size() - locked.size());
    }

    private long releaseHolds(dev.loyalty.functions.store.Tx tx, Instant now, int chunkMembers) {
        return tx.query("""
                WITH m AS (
                  SELECT a.member_id FROM accounts a
                  WHERE a.member_id IN (SELECT DISTINCT member_id FROM holds WHERE status = 'HELD' AND expires_at <= $1
                                        ORDER BY member_id LIMIT $2)
                  ORDER BY a.member_id FOR UPDATE SKIP LOCKED
                )
                UPDATE holds h SET status = 'EXPIRED', updated_at = $1 FROM m
                WHERE h.member_id = m.member_id AND h.status = 'HELD' AND h.expires_at <= $1
                """, now, chunkMembers).rowCount();
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
