package dev.loyalty.functions.schedule;

import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerWriter;
import io.quarkus.runtime.annotations.RegisterForReflection;
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
 * entry per member (with an allocation per lot; the core's rule as SQL, {@link LedgerWriter#expire}),
 * zeroes the lots and moves the account, so a
 * lot can never be expired twice. The work queue is the data itself (lots past expiry with
 * points left), so an unfinished run needs no checkpoint: the next invocation resumes.
 */
@ApplicationScoped
public class ExpireSweep {
    private final Db db;
    private final LedgerWriter writer;
    private final ScheduleConfig config;
    private final Clock clock;

    public ExpireSweep(Db db, LedgerWriter writer, ScheduleConfig config, Clock clock) {
        this.db = db;
        this.writer = writer;
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
            long released = db.inTransaction(tx -> writer.releaseExpiredHolds(tx, now, chunkMembers));
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
        LedgerWriter.Expired done = writer.expire(tx, locked, now);
        return new Chunk(done.members(), done.lots(), done.byType(), candidates.get(candidates.size() - 1),
                candidates.size(), candidates.size() - locked.size());
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
