package dev.loyalty.functions.reports;

import dev.loyalty.functions.store.ReportReads;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The finance view, computed from the ledger alone (entries, allocations, lots' original
 * points), never from the mutable balance columns, so it is right as of any past instant.
 *
 * <p>Outstanding by type at {@code asOf} = every lot created by then at its original points,
 * minus what entries recorded by then took from it, plus what they restored to it. Totals
 * over {@code [from, asOf]}: issued (earns net of their reversals), redeemed (redeems and
 * captures net of their reversals), expired (breakage), adjusted, returned (what returns took
 * back), and transfers (which net to 0).
 *
 * <p>{@code pending} at {@code asOf}: the part of {@code outstanding} in lots still in their
 * return window then (and not expired). {@code unrecovered} at {@code asOf}: what returns
 * recorded by then could not take back because members no longer held it (their shortfalls),
 * less what was recovered since. Per award: {@code min(shortfalls, award - taken back)}, where
 * "taken back" is every entry recorded by then that reverses the award (its RETURN entries and
 * an operator's REVERSAL of it, which can take only what the returns left). So a reversal of the
 * award after points came back to its lot (e.g. a reversed redeem) recovers the shortfall, and
 * nothing is counted twice: a reversal first takes the part of the award no return claimed.
 */
@ApplicationScoped
public class LiabilityReport {
    /** See the class comment: per award with a shortfall, what is still missing of it at $1. */
    static final String UNRECOVERED_SQL = """
            SELECT COALESCE(SUM(GREATEST(0, LEAST(sf.shortfall, a.points - COALESCE((
                     SELECT SUM(-e.points) FROM ledger_entries e
                     WHERE e.member_id = sf.member_id AND e.reverses_entry_id = sf.award_entry_id
                       AND e.recorded_at <= $1), 0)))), 0) AS unrecovered
            FROM (SELECT ra.member_id, ra.award_entry_id, SUM(ra.shortfall) AS shortfall
                  FROM returns r
                  JOIN return_awards ra ON ra.member_id = r.member_id AND ra.reference = r.reference
                  WHERE r.recorded_at <= $1 AND r.shortfall > 0 AND ra.shortfall > 0
                  GROUP BY ra.member_id, ra.award_entry_id) sf
            JOIN ledger_entries a ON a.member_id = sf.member_id AND a.entry_id = sf.award_entry_id""";

    private final ReportReads reads;

    public LiabilityReport(ReportReads reads) {
        this.reads = reads;
    }

    @RegisterForReflection
    public record Report(Instant asOf, Instant from, long outstanding, Map<String, Long> outstandingByType, long pending,
                         long unrecovered, long issued, long redeemed, long expired, long adjusted, long returned,
                         long transfersNet, String readFrom) {
    }

    /** Read where {@link ReportReads} says (a replica when configured), and the answer says which. */
    public Report at(Instant asOf, Instant from) {
        var read = reads.read(tx -> {
            Map<String, Long> byType = new TreeMap<>();
            tx.list("""
                    SELECT point_type, SUM(pts) AS pts FROM (
                      SELECT l.point_type, l.original_points AS pts
                      FROM lots l JOIN ledger_entries e ON e.member_id = l.member_id AND e.entry_id = l.source_entry_id
                      WHERE e.recorded_at <= $1
                      UNION ALL
                      SELECT l.point_type, CASE WHEN e.points < 0 THEN -a.points ELSE a.points END
                      FROM entry_allocations a
                      JOIN ledger_entries e ON e.member_id = a.member_id AND e.entry_id = a.entry_id
                      JOIN lots l ON l.member_id = a.member_id AND l.lot_id = a.lot_id
                      WHERE e.recorded_at <= $1
                    ) x GROUP BY point_type HAVING SUM(pts) <> 0""",
                    r -> byType.put(r.getString("point_type"), r.getLong("pts")), asOf);
            long outstanding = byType.values().stream().mapToLong(Long::longValue).reduce(0L, Math::addExact);
            // The same sum restricted to lots pending at asOf (Lot#pendingPointsAt, as of then).
            var p = tx.query("""
                    SELECT COALESCE(SUM(pts), 0) AS pending FROM (
                      SELECT l.original_points AS pts
                      FROM lots l JOIN ledger_entries e ON e.member_id = l.member_id AND e.entry_id = l.source_entry_id
                      WHERE e.recorded_at <= $1 AND l.pending_until > $1 AND (l.expires_at IS NULL OR l.expires_at > $1)
                      UNION ALL
                      SELECT CASE WHEN e.points < 0 THEN -a.points ELSE a.points END
                      FROM entry_allocations a
                      JOIN ledger_entries e ON e.member_id = a.member_id AND e.entry_id = a.entry_id
                      JOIN lots l ON l.member_id = a.member_id AND l.lot_id = a.lot_id
                      WHERE e.recorded_at <= $1 AND l.pending_until > $1 AND (l.expires_at IS NULL OR l.expires_at > $1)
                    ) x""", asOf).iterator().next();
            var u = tx.query(UNRECOVERED_SQL, asOf).iterator().next();
            var t = tx.query("""
                    SELECT
                      COALESCE(SUM(e.points) FILTER (WHERE e.kind = 'EARN' OR (e.kind = 'REVERSAL' AND o.kind = 'EARN')), 0) AS issued,
                      COALESCE(-SUM(e.points) FILTER (WHERE e.kind = 'REDEEM' OR (e.kind = 'REVERSAL' AND o.kind = 'REDEEM')), 0) AS redeemed,
                      COALESCE(-SUM(e.points) FILTER (WHERE e.kind = 'EXPIRE'), 0) AS expired,
                      COALESCE(SUM(e.points) FILTER (WHERE e.kind = 'ADJUSTMENT'), 0) AS adjusted,
                      COALESCE(-SUM(e.points) FILTER (WHERE e.kind = 'RETURN'), 0) AS returned,
                      COALESCE(SUM(e.points) FILTER (WHERE e.kind IN ('TRANSFER_IN', 'TRANSFER_OUT')), 0) AS transfers
                    FROM ledger_entries e
                    LEFT JOIN ledger_entries o ON o.member_id = e.member_id AND o.entry_id = e.reverses_entry_id
                    WHERE e.recorded_at <= $1 AND ($2::timestamptz IS NULL OR e.recorded_at >= $2)""", asOf, from)
                    .iterator().next();
            return new Report(asOf, from, outstanding, byType, ((Number) p.getValue("pending")).longValue(),
                    ((Number) u.getValue("unrecovered")).longValue(), t.getLong("issued"), t.getLong("redeemed"),
                    t.getLong("expired"), t.getLong("adjusted"), t.getLong("returned"), t.getLong("transfers"), null);
        });
        Report r = read.value();
        return new Report(r.asOf(), r.from(), r.outstanding(), r.outstandingByType(), r.pending(), r.unrecovered(), r.issued(),
                r.redeemed(), r.expired(), r.adjusted(), r.returned(), r.transfersNet(), read.readFrom());
    }
}
