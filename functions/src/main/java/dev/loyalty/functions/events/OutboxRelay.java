package dev.loyalty.functions.events;

import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.OutboxEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The relay: on a schedule (every minute) it publishes whatever is still unpublished (a crash
 * between commit and publish, EventBridge throttled or down, a member left behind by the
 * after-commit publisher), then removes published rows older than the retention period.
 *
 * <p>Bounded per invocation in rows ({@code max-rows}) and time ({@code time-budget-ms}); each
 * chunk is one transaction that locks members' oldest unpublished rows in member and sequence
 * order ({@code FOR UPDATE SKIP LOCKED}: two relays, or a relay and a write's publisher, never
 * wait on each other nor publish the same member at once), publishes them and marks the accepted
 * ones. The work queue is the data (unpublished rows), so an unfinished run needs no checkpoint.
 */
@ApplicationScoped
public class OutboxRelay {
    /** Published rows removed per statement. */
    static final int DELETE_STATEMENT_ROWS = 5000;

    private final Db db;
    private final OutboxDelivery delivery;
    private final EventBus bus;
    private final EventsConfig config;
    private final Clock clock;

    public OutboxRelay(Db db, OutboxDelivery delivery, EventBus bus, EventsConfig config, Clock clock) {
        this.db = db;
        this.delivery = delivery;
        this.bus = bus;
        this.config = config;
        this.clock = clock;
    }

    /**
     * {@code finished}: nothing unpublished was left behind by this run (nothing failed, nothing
     * was skipped because another publisher held it, no bound was reached).
     */
    @RegisterForReflection
    public record Report(String job, Instant asOf, long published, long failed, long membersSkipped, int chunks,
                         int calls, long deleted, long unpublishedLeft, Long oldestUnpublishedAgeSeconds,
                         long elapsedMs, boolean finished) {
    }

    public Report run() {
        EventsConfig.Relay r = config.relay();
        return run(r.chunkRows(), r.maxRows(), r.timeBudgetMs());
    }

    public Report run(int chunkRows, int maxRows, long timeBudgetMs) {
        long start = System.nanoTime();
        long deadline = start + timeBudgetMs * 1_000_000L;
        Instant asOf = clock.instant();
        long published = 0;
        long failed = 0;
        int chunks = 0;
        int calls = 0;
        String cursor = "";
        Set<String> skip = new LinkedHashSet<>();
        boolean drained = false;
        boolean busDown = false;
        while (System.nanoTime() < deadline && published < maxRows) {
            String from = cursor;
            int rows = (int) Math.min(chunkRows, maxRows - published);
            String[] skipped = skip.toArray(new String[0]);
            Chunk c = db.inTransaction(tx -> {
                List<OutboxDelivery.Locked> locked = delivery.lockChunk(tx, from, skipped, rows);
                List<OutboxEvent> mine = OutboxDelivery.prefixes(locked);
                EventBus.Delivery d = bus.publish(mine, deadline);
                delivery.markPublished(tx, d.accepted(), clock.instant());
                return new Chunk(locked, mine, d);
            });
            chunks++;
            calls += c.delivery().calls();
            published += c.delivery().accepted().size();
            failed += c.delivery().failedEntries();
            // Members not fully delivered (failed, or another publisher holds their oldest event)
            // are not taken again in this run: the next one retries them.
            Set<String> accepted = new java.util.HashSet<>();
            c.delivery().accepted().forEach(e -> accepted.add(e.memberId() + "#" + e.sequence()));
            for (OutboxDelivery.Locked l : c.locked()) {
                if (!l.prefix() || !accepted.contains(l.event().memberId() + "#" + l.event().sequence())) {
                    skip.add(l.event().memberId());
                }
            }
            if (c.delivery().lastError() != null && c.delivery().accepted().isEmpty() && !c.mine().isEmpty()) {
                busDown = true; // nothing went: EventBridge is down or throttling hard; try again next minute
                break;
            }
            if (c.locked().size() < rows) {
                drained = true;
                break;
            }
            // The chunk may have cut the last member's events: the next chunk starts AT that member
            // (member_id >= cursor; members not fully delivered are excluded by name).
            cursor = c.locked().get(c.locked().size() - 1).event().memberId();
        }
        long deleted = deletePublished(asOf, deadline);
        Backlog backlog = backlog(asOf);
        return new Report("outbox-relay", asOf, published, failed, skip.size(), chunks, calls, deleted,
                backlog.unpublished(), backlog.oldestAgeSeconds(), (System.nanoTime() - start) / 1_000_000,
                drained && !busDown && skip.isEmpty() && failed == 0);
    }

    private record Chunk(List<OutboxDelivery.Locked> locked, List<OutboxEvent> mine, EventBus.Delivery delivery) {
    }

    /** Removes published rows past the retention period, bounded in rows and by the run's deadline. */
    long deletePublished(Instant now, long deadline) {
        Instant cutoff = now.minus(Duration.ofDays(config.relay().retentionDays()));
        long deleted = 0;
        while (deleted < config.relay().deleteMaxRows() && System.nanoTime() < deadline) {
            long n = db.inTransaction(tx -> (long) tx.query("""
                    DELETE FROM outbox o USING (
                      SELECT member_id, sequence FROM outbox
                       WHERE published_at IS NOT NULL AND published_at < $1
                       ORDER BY published_at LIMIT $2) d
                     WHERE o.member_id = d.member_id AND o.sequence = d.sequence
                    """, cutoff, DELETE_STATEMENT_ROWS).rowCount());
            deleted += n;
            if (n < DELETE_STATEMENT_ROWS) {
                break;
            }
        }
        return deleted;
    }

    public record Backlog(long unpublished, Long oldestAgeSeconds) {
    }

    /** How many events wait and how old the oldest is (the alarm's metric); one statement over the partial index. */
    public Backlog backlog(Instant now) {
        return db.read(tx -> tx.one("""
                SELECT count(*) AS n, min(recorded_at) AS oldest FROM outbox WHERE published_at IS NULL
                """, row -> {
            Instant oldest = dev.loyalty.functions.store.Tx.instant(row, "oldest");
            return new Backlog(row.getLong("n"), oldest == null ? null : Math.max(0, Duration.between(oldest, now).toSeconds()));
        }).orElseThrow());
    }
}
