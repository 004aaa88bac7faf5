package dev.loyalty.functions.events;

import dev.loyalty.functions.store.OutboxEvent;
import dev.loyalty.functions.store.Tx;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way any publisher takes outbox rows: it locks them ({@code FOR UPDATE SKIP LOCKED},
 * so it never waits on another publisher) and keeps, per member, only a locked set that is a
 * PREFIX of the member's unpublished events, i.e. it holds the member's oldest unpublished
 * event and every one after it up to its last. See the package documentation for why this
 * keeps every member's events in order.
 */
@ApplicationScoped
public class OutboxDelivery {

    private static final String COLUMNS = "member_id, sequence, event_id, type, occurred_at, recorded_at, data::text AS data";

    /**
     * Locks the unpublished events of {@code members} up to each one's {@code upTo} sequence
     * (right after commit: everything up to the events just written) and returns those of the
     * members whose locked set is a prefix, in member and sequence order. One statement.
     */
    public List<Locked> lockUpTo(Tx tx, String[] members, long[] upTo) {
        if (members.length <= 2) {
            // A write's own members (one, or a transfer's two): single-shard statements, pipelined.
            List<Tx.Deferred<List<Locked>>> reads = new ArrayList<>();
            for (int i = 0; i < members.length; i++) {
                reads.add(tx.laterList("""
                        WITH locked AS (
                          SELECT o.member_id, o.sequence, o.event_id, o.type, o.occurred_at, o.recorded_at, o.data
                            FROM outbox o
                           WHERE o.member_id = $1 AND o.sequence <= $2 AND o.published_at IS NULL
                           ORDER BY o.sequence
                             FOR UPDATE OF o SKIP LOCKED
                        )
                        SELECT %s, count(*) OVER () AS locked_n,
                               (SELECT count(*) FROM outbox p
                                 WHERE p.member_id = $1 AND p.published_at IS NULL AND p.sequence <= $2) AS pending_n
                          FROM locked l ORDER BY sequence
                        """.formatted(COLUMNS), OutboxDelivery::row, members[i], upTo[i]));
            }
            tx.flush();
            List<Locked> out = new ArrayList<>();
            reads.forEach(r -> out.addAll(r.get()));
            return out;
        }
        Long[] bounds = new Long[upTo.length];
        for (int i = 0; i < upTo.length; i++) {
            bounds[i] = upTo[i];
        }
        return (tx.list("""
                WITH want AS (
                  SELECT * FROM unnest($1::text[], $2::bigint[]) AS w(member_id, up_to)
                ), locked AS (
                  SELECT o.member_id, o.sequence, o.event_id, o.type, o.occurred_at, o.recorded_at, o.data
                    FROM outbox o JOIN want w ON w.member_id = o.member_id AND o.sequence <= w.up_to
                   WHERE o.published_at IS NULL
                   ORDER BY o.member_id, o.sequence
                     FOR UPDATE OF o SKIP LOCKED
                )
                SELECT %s, count(*) OVER (PARTITION BY member_id) AS locked_n,
                       (SELECT count(*) FROM outbox p JOIN want w2 ON w2.member_id = p.member_id
                         WHERE p.member_id = l.member_id AND p.published_at IS NULL AND p.sequence <= w2.up_to) AS pending_n
                  FROM locked l ORDER BY member_id, sequence
                """.formatted(COLUMNS), OutboxDelivery::row, members, bounds));
    }

    /**
     * The relay's chunk: locks up to {@code rows} unpublished events of members from
     * {@code fromMember} on (and not in {@code skip}), in member and sequence order, and returns
     * those of members whose locked set is a prefix. One statement.
     */
    public List<Locked> lockChunk(Tx tx, String fromMember, String[] skip, int rows) {
        return (tx.list("""
                WITH locked AS (
                  SELECT o.member_id, o.sequence, o.event_id, o.type, o.occurred_at, o.recorded_at, o.data
                    FROM outbox o
                   WHERE o.published_at IS NULL AND o.member_id >= $1 AND NOT (o.member_id = ANY($2))
                   ORDER BY o.member_id, o.sequence
                   LIMIT $3
                     FOR UPDATE SKIP LOCKED
                ), last AS (
                  SELECT member_id, max(sequence) AS up_to FROM locked GROUP BY member_id
                )
                SELECT %s, count(*) OVER (PARTITION BY member_id) AS locked_n,
                       (SELECT count(*) FROM outbox p JOIN last x ON x.member_id = p.member_id
                         WHERE p.member_id = l.member_id AND p.published_at IS NULL AND p.sequence <= x.up_to) AS pending_n
                  FROM locked l ORDER BY member_id, sequence
                """.formatted(COLUMNS), OutboxDelivery::row, fromMember, skip, rows));
    }

    /** Marks accepted events published (the caller still holds their locks); one statement. */
    /**
     * Marks events published without holding their locks first (the publish right after commit):
     * one statement per member, sent together; rows another transaction holds (the relay,
     * publishing them too) are skipped, never waited for: that transaction marks them.
     */
    public void markPublishedSkippingLocked(Tx tx, List<OutboxEvent> accepted, Instant now) {
        java.util.Map<String, List<Long>> byMember = new java.util.TreeMap<>();
        accepted.forEach(e -> byMember.computeIfAbsent(e.memberId(), m -> new ArrayList<>()).add(e.sequence()));
        byMember.forEach((m, sequences) -> tx.later("""
                UPDATE outbox o SET published_at = $3
                  FROM (SELECT member_id, sequence FROM outbox
                         WHERE member_id = $1 AND sequence = ANY($2) AND published_at IS NULL
                           FOR UPDATE SKIP LOCKED) s
                 WHERE o.member_id = s.member_id AND o.sequence = s.sequence
                """, r -> null, m, sequences.toArray(Long[]::new), now));
        tx.flush();
    }

    public void markPublished(Tx tx, List<OutboxEvent> accepted, Instant now) {
        if (accepted.isEmpty()) {
            return;
        }
        String[] members = new String[accepted.size()];
        Long[] sequences = new Long[accepted.size()];
        for (int i = 0; i < accepted.size(); i++) {
            members[i] = accepted.get(i).memberId();
            sequences[i] = accepted.get(i).sequence();
        }
        List<String> distinct = java.util.Arrays.stream(members).distinct().toList();
        if (distinct.size() <= 2) {
            // One member, or a transfer's two: a single-shard statement each, pipelined.
            for (String m : distinct) {
                Long[] mine = java.util.stream.IntStream.range(0, members.length).filter(i -> members[i].equals(m))
                        .mapToObj(i -> sequences[i]).toArray(Long[]::new);
                tx.later("UPDATE outbox SET published_at = $3 WHERE member_id = $1 AND sequence = ANY($2)", r -> null,
                        m, mine, now);
            }
            tx.flush();
            return;
        }
        tx.query("""
                UPDATE outbox o SET published_at = $3
                  FROM unnest($1::text[], $2::bigint[]) AS a(member_id, sequence)
                 WHERE o.member_id = a.member_id AND o.sequence = a.sequence
                """, members, sequences, now);
    }

    /** A locked row, with whether its member's locked set is a prefix of its unpublished events. */
    public record Locked(OutboxEvent event, boolean prefix) {
    }

    private static Locked row(Row r) {
        OutboxEvent e = new OutboxEvent(r.getString("member_id"), r.getLong("sequence"), r.getUUID("event_id"),
                r.getString("type"), Tx.instant(r, "occurred_at"), Tx.instant(r, "recorded_at"), r.getString("data"));
        return new Locked(e, r.getLong("locked_n").longValue() == r.getLong("pending_n").longValue());
    }

    /** The events of the members whose locked set is a prefix, in member and sequence order. */
    public static List<OutboxEvent> prefixes(List<Locked> rows) {
        List<OutboxEvent> out = new ArrayList<>(rows.size());
        for (Locked l : rows) {
            if (l.prefix()) {
                out.add(l.event());
            }
        }
        return out;
    }
}
