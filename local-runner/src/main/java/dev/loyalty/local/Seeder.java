package dev.loyalty.local;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A large, consistent data set in a few set-based statements, for the sweep, reconcile and
 * benchmarks: {@code members} accounts with {@code entriesPerMember} EARN entries each, one lot
 * per entry, the balance chain intact. Every third lot of a member is already expired (earned
 * 400 days ago, PURCHASE), so the sweep has work. Members are seeded in chunks, each its own
 * transaction, so a large run is bounded in memory and can be resumed (existing ids are skipped).
 */
public final class Seeder {
    /** Members per INSERT ... SELECT; bounds each transaction. */
    public static final int CHUNK_MEMBERS = 50_000;

    private Seeder() {
    }

    public record Result(long members, long entries, long elapsedMs) {
    }

    public static Result seed(DataSource db, long members, int entriesPerMember) throws SQLException {
        long start = System.nanoTime();
        long entries = 0;
        try (Connection c = db.getConnection()) {
            for (long from = 1; from <= members; from += CHUNK_MEMBERS) {
                long to = Math.min(members, from + CHUNK_MEMBERS - 1);
                c.setAutoCommit(false);
                entries += run(c, """
                        INSERT INTO ledger_entries(member_id, entry_id, sequence, kind, points, balance_after, point_type,
                                                   reference, description, occurred_at, recorded_at)
                        SELECT 'seed-' || lpad(m::text, 8, '0'), md5('e' || m || ':' || s)::uuid, s, 'EARN', 10, 10 * s,
                               CASE WHEN s % 3 = 0 THEN 'PURCHASE' ELSE 'BONUS' END, 'seed-' || s, NULL,
                               now() - make_interval(days => CASE WHEN s % 3 = 0 THEN 400 ELSE 1 END),
                               now() - make_interval(days => ? - s)
                        FROM generate_series(?::bigint, ?::bigint) m, generate_series(1, ?) s
                        ON CONFLICT DO NOTHING""", entriesPerMember, from, to, entriesPerMember);
                run(c, """
                        INSERT INTO lots(member_id, lot_id, point_type, original_points, remaining_points, earned_at,
                                         expires_at, source_entry_id)
                        SELECT e.member_id, md5('l' || e.entry_id)::uuid, e.point_type, e.points, e.points, e.occurred_at,
                               CASE WHEN e.point_type = 'PURCHASE' THEN date_trunc('day', e.occurred_at) + interval '366 days' END,
                               e.entry_id
                        FROM ledger_entries e
                        WHERE e.member_id BETWEEN 'seed-' || lpad(?::text, 8, '0') AND 'seed-' || lpad(?::text, 8, '0')
                          AND e.reference LIKE 'seed-%'
                        ON CONFLICT DO NOTHING""", from, to);
                run(c, """
                        INSERT INTO accounts(member_id, balance, version, created_at, updated_at)
                        SELECT 'seed-' || lpad(m::text, 8, '0'), 10 * ?, ?, now(), now()
                        FROM generate_series(?::bigint, ?::bigint) m
                        ON CONFLICT DO NOTHING""", entriesPerMember, entriesPerMember, from, to);
                c.commit();
            }
        }
        return new Result(members, entries, (System.nanoTime() - start) / 1_000_000);
    }

    private static long run(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeLargeUpdate();
        }
    }
}
