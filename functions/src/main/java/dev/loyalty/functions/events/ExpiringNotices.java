package dev.loyalty.functions.events;

import dev.loyalty.core.MemberId;
import dev.loyalty.core.events.DomainEvent;
import dev.loyalty.core.events.DomainEvents;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The daily {@code points.expiring} notices: every lot with points left that expires within
 * {@code loyalty.notices.expiring-days} gets ONE notice, ever. The notice's event and the
 * lot's row in {@code expiry_notices} are written in the same transaction, so a second run (the
 * same day or later) finds the lot noticed and emits nothing.
 *
 * <p>Like the expiry sweep: chunks of members, each one transaction, within a time budget;
 * members are locked with {@code FOR UPDATE SKIP LOCKED} (their event sequence moves), so a
 * member busy with a write is left for the next run; the work queue is the data (lots not yet
 * noticed), so an unfinished run needs no checkpoint.
 */
@ApplicationScoped
public class ExpiringNotices {
    private static final java.util.function.Supplier<UUID> IDS = UUID::randomUUID;

    private final Db db;
    private final LedgerWriter writer;
    private final NoticesConfig config;
    private final Clock clock;

    public ExpiringNotices(Db db, LedgerWriter writer, NoticesConfig config, Clock clock) {
        this.db = db;
        this.writer = writer;
        this.config = config;
        this.clock = clock;
    }

    @RegisterForReflection
    public record Report(String job, Instant asOf, Instant expiringBefore, long notices, long members, int chunks,
                         long membersSkipped, long elapsedMs, boolean finished) {
    }

    private record Chunk(long notices, long members, int candidates, String lastCandidate, int skipped) {
    }

    public Report run() {
        return run(config.chunkMembers(), config.timeBudgetMs());
    }

    public Report run(int chunkMembers, long timeBudgetMs) {
        long start = System.nanoTime();
        Instant now = clock.instant();
        Instant until = now.plus(Duration.ofDays(config.expiringDays()));
        long notices = 0;
        long members = 0;
        long skipped = 0;
        int chunks = 0;
        String cursor = "";
        boolean finished = false;
        while ((System.nanoTime() - start) / 1_000_000 < timeBudgetMs) {
            String from = cursor;
            Chunk c = db.inTransaction(tx -> chunk(tx, from, now, until, chunkMembers));
            chunks++;
            notices += c.notices();
            members += c.members();
            skipped += c.skipped();
            if (c.candidates() < chunkMembers) {
                finished = true;
                break;
            }
            cursor = c.lastCandidate();
        }
        return new Report("notices", now, until, notices, members, chunks, skipped,
                (System.nanoTime() - start) / 1_000_000, finished && skipped == 0);
    }

    private record Due(String memberId, UUID lotId, String pointType, long points, Instant expiresAt) {
    }

    private Chunk chunk(Tx tx, String cursor, Instant now, Instant until, int chunkMembers) {
        List<String> candidates = tx.list("""
                SELECT DISTINCT l.member_id FROM lots l
                 WHERE l.remaining_points > 0 AND l.expires_at > $1 AND l.expires_at <= $2 AND l.member_id > $3
                   AND NOT EXISTS (SELECT 1 FROM expiry_notices n WHERE n.member_id = l.member_id AND n.lot_id = l.lot_id)
                 ORDER BY l.member_id LIMIT $4
                """, r -> r.getString("member_id"), now, until, cursor, chunkMembers);
        if (candidates.isEmpty()) {
            return new Chunk(0, 0, 0, cursor, 0);
        }
        String last = candidates.get(candidates.size() - 1);
        List<String> locked = tx.list("SELECT member_id FROM accounts WHERE member_id = ANY($1) ORDER BY member_id"
                + " FOR UPDATE SKIP LOCKED", r -> r.getString("member_id"), (Object) candidates.toArray(new String[0]));
        if (locked.isEmpty()) {
            return new Chunk(0, 0, candidates.size(), last, candidates.size());
        }
        // Record the notices first: ON CONFLICT keeps "once per lot" even against a concurrent run.
        List<Due> due = tx.list("""
                INSERT INTO expiry_notices(member_id, lot_id, expires_at, noticed_at)
                SELECT l.member_id, l.lot_id, l.expires_at, $3 FROM lots l
                 WHERE l.member_id = ANY($1) AND l.remaining_points > 0 AND l.expires_at > $3 AND l.expires_at <= $2
                 ORDER BY l.member_id, l.expires_at, l.lot_id
                ON CONFLICT DO NOTHING
                RETURNING member_id, lot_id, expires_at,
                          (SELECT point_type FROM lots x WHERE x.member_id = expiry_notices.member_id AND x.lot_id = expiry_notices.lot_id) AS point_type,
                          (SELECT remaining_points FROM lots x WHERE x.member_id = expiry_notices.member_id AND x.lot_id = expiry_notices.lot_id) AS points
                """, r -> new Due(r.getString("member_id"), r.getUUID("lot_id"), r.getString("point_type"),
                        r.getLong("points"), Tx.instant(r, "expires_at")),
                (Object) locked.toArray(new String[0]), until, now);
        List<DomainEvent> events = new ArrayList<>(due.size());
        due.stream()
                .sorted(java.util.Comparator.comparing(Due::memberId).thenComparing(Due::expiresAt).thenComparing(Due::lotId))
                .forEach(d -> events.add(DomainEvents.expiring(new MemberId(d.memberId()), d.lotId(), d.pointType(), d.points(),
                        d.expiresAt(), now, IDS)));
        writer.emit(tx, events);
        return new Chunk(events.size(), locked.size(), candidates.size(), last, candidates.size() - locked.size());
    }
}
