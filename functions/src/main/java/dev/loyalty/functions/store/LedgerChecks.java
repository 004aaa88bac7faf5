package dev.loyalty.functions.store;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * The ledger's invariants as set-based SQL. Each check returns its violations; an empty list
 * means the check holds. Used by the tests after every case, and the basis of reconcile.
 *
 * <ol>
 *   <li>account balance = sum of the member's entries (and every member with entries or lots
 *       has an account);</li>
 *   <li>account balance = sum of the member's lots' remaining points;</li>
 *   <li>the balance_after chain is continuous: sequences 1..n with no gap, each
 *       balance_after = previous + points, and the last equals the account (version = n);</li>
 *   <li>no negative balance or lot (also enforced by CHECK constraints).</li>
 * </ol>
 */
@ApplicationScoped
public class LedgerChecks {
    private final Db db;

    public LedgerChecks(Db db) {
        this.db = db;
    }

    @RegisterForReflection
    public record Violation(String memberId, String check, String expected, String actual) {
    }

    /** Every check over the whole ledger in one statement (the tests run it after every case). */
    public List<Violation> checkAll(int limitPerCheck) {
        return auditRange(limitPerCheck, null, null).violations();
    }

    /** The checks for {@code members} only (incremental reconcile). */
    public List<Violation> check(int limitPerCheck, String[] members) {
        return db.read(tx -> audit(tx, limitPerCheck, members, null, null)).violations();
    }

    /** Sums over the members audited, from the same pass. */
    public record Totals(long members, long entries, long outstanding, long net) {
    }

    public record Audit(List<Violation> violations, Totals totals) {
    }

    /**
     * The checks for the members with {@code after < member_id <= upTo} (either bound may be
     * null: open), in one statement, so one snapshot. Reconcile walks the ledger in such
     * ranges; entries and lots are filtered by the same range, so one without an account is
     * still seen by exactly one range.
     */
    public Audit auditRange(int limitPerCheck, String after, String upTo) {
        // Give the aggregates room to hash in memory (PostgreSQL's default 4 MB spills the
        // per-member sums to disk); SET LOCAL ends with this transaction.
        return db.inTransaction(tx -> {
            tx.script("SET LOCAL work_mem = '64MB'");
            return audit(tx, limitPerCheck, null, after, upTo);
        });
    }

    /**
     * Every check in ONE statement and one pass over each table: the entries are read once in
     * (member, sequence) order through their unique index, which yields per member the sum,
     * the count, the last balance_after and the first break in the chain (a window over the
     * same rows); the lots are summed once; the accounts are read once; the three are joined
     * by member (a FULL join, so entries or lots without an account are reported too). The
     * system totals come out of the same pass as a last row. At most {@code limitPerCheck}
     * violations are reported per check.
     */
    private Audit audit(Tx tx, int limitPerCheck, String[] members, String after, String upTo) {
        List<Violation> out = new ArrayList<>();
        int[] perCheck = new int[CHECKS.size()];
        Totals[] totals = new Totals[1];
        tx.list(AUDIT_SQL, r -> {
            if ("T".equals(r.getString("k"))) {
                totals[0] = new Totals(num(r, "version"), num(r, "n"), num(r, "balance"), num(r, "entry_total"));
                return r;
            }
            String m = r.getString("member_id");
            Long balance = num(r, "balance");
            Long version = num(r, "version");
            long entryTotal = orZero(num(r, "entry_total"));
            long lotTotal = orZero(num(r, "lot_total"));
            long n = orZero(num(r, "n"));
            Long lastBalance = r.getLong("last_balance");
            if (balance == null) {
                add(out, perCheck, limitPerCheck, new Violation(m, "ACCOUNT_MATCHES_LAST_ENTRY",
                        "version " + n + " balance " + lastBalance, "no account"));
            } else {
                if (balance != entryTotal) {
                    add(out, perCheck, limitPerCheck, new Violation(m, "BALANCE_EQUALS_ENTRY_SUM",
                            String.valueOf(balance), String.valueOf(entryTotal)));
                }
                if (balance != lotTotal) {
                    add(out, perCheck, limitPerCheck, new Violation(m, "BALANCE_EQUALS_LOT_SUM",
                            String.valueOf(balance), String.valueOf(lotTotal)));
                }
                if (version.longValue() != n || (lastBalance != null && !lastBalance.equals(balance))) {
                    add(out, perCheck, limitPerCheck, new Violation(m, "ACCOUNT_MATCHES_LAST_ENTRY",
                            "version " + n + " balance " + lastBalance, "version " + version + " balance " + balance));
                }
                if (balance < 0) {
                    add(out, perCheck, limitPerCheck, new Violation(m, "NO_NEGATIVE", ">= 0", "account " + balance));
                }
            }
            if (orZero(r.getLong("broken")) > 0) {
                add(out, perCheck, limitPerCheck, new Violation(m, "BALANCE_AFTER_CHAIN",
                        "sequence " + r.getLong("broken_seq") + " balanceAfter " + r.getLong("broken_expected"),
                        String.valueOf(r.getLong("broken_actual"))));
            }
            if (orZero(r.getLong("negative")) > 0) {
                add(out, perCheck, limitPerCheck, new Violation(m, "NO_NEGATIVE", ">= 0",
                        r.getLong("negative") + " lot(s), lowest " + r.getLong("lowest")));
            }
            return r;
        }, members, Math.max(1, limitPerCheck) * CHECKS.size(), after, upTo);
        return new Audit(out, totals[0]);
    }

    static final List<String> CHECKS = List.of("BALANCE_EQUALS_ENTRY_SUM", "BALANCE_EQUALS_LOT_SUM",
            "BALANCE_AFTER_CHAIN", "ACCOUNT_MATCHES_LAST_ENTRY", "NO_NEGATIVE");

    private static void add(List<Violation> out, int[] perCheck, int limit, Violation v) {
        int i = CHECKS.indexOf(v.check());
        if (perCheck[i] < limit) {
            perCheck[i]++;
            out.add(v);
        }
    }

    private static Long num(io.vertx.mutiny.sqlclient.Row r, String column) {
        Object v = r.getValue(column);
        return v == null ? null : ((Number) v).longValue();
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    static final String AUDIT_SQL = """
            WITH e AS MATERIALIZED (
              SELECT member_id, SUM(points) AS total, COUNT(*) AS n,
                     MAX(balance_after) FILTER (WHERE is_last) AS last_balance,
                     COUNT(*) FILTER (WHERE broken) AS broken,
                     MIN(ARRAY[sequence, expected, balance_after]) FILTER (WHERE broken) AS first_break
              FROM (SELECT member_id, sequence, points, balance_after,
                           LAG(balance_after, 1, 0::bigint) OVER w + points AS expected,
                           (balance_after <> LAG(balance_after, 1, 0::bigint) OVER w + points
                              OR sequence <> ROW_NUMBER() OVER w) AS broken,
                           (LEAD(sequence) OVER w IS NULL) AS is_last
                    FROM ledger_entries WHERE ($1::text[] IS NULL OR member_id = ANY($1))
                      AND ($3::text IS NULL OR member_id > $3) AND ($4::text IS NULL OR member_id <= $4)
                    WINDOW w AS (PARTITION BY member_id ORDER BY sequence)) x
              GROUP BY member_id),
            l AS (
              SELECT member_id, SUM(remaining_points) AS total, COUNT(*) FILTER (WHERE remaining_points < 0) AS negative,
                     MIN(remaining_points) AS lowest
              FROM lots WHERE ($1::text[] IS NULL OR member_id = ANY($1))
                AND ($3::text IS NULL OR member_id > $3) AND ($4::text IS NULL OR member_id <= $4)
              GROUP BY member_id),
            a AS MATERIALIZED (
              SELECT member_id, balance, version FROM accounts WHERE ($1::text[] IS NULL OR member_id = ANY($1))
                AND ($3::text IS NULL OR member_id > $3) AND ($4::text IS NULL OR member_id <= $4))
            (SELECT 'M' AS k, COALESCE(a.member_id, e.member_id, l.member_id) AS member_id,
                    a.balance::numeric AS balance, a.version::numeric AS version, e.total AS entry_total,
                    e.n::numeric AS n, e.last_balance, e.broken, e.first_break[1] AS broken_seq,
                    e.first_break[2] AS broken_expected, e.first_break[3] AS broken_actual, l.total AS lot_total,
                    l.negative, l.lowest
             FROM a FULL JOIN e ON e.member_id = a.member_id
                    FULL JOIN l ON l.member_id = COALESCE(a.member_id, e.member_id)
             WHERE a.member_id IS NULL
                OR a.balance <> COALESCE(e.total, 0) OR a.balance <> COALESCE(l.total, 0)
                OR COALESCE(e.broken, 0) > 0 OR a.version <> COALESCE(e.n, 0)
                OR (e.n IS NOT NULL AND e.last_balance <> a.balance)
                OR a.balance < 0 OR COALESCE(l.negative, 0) > 0
             ORDER BY 2 LIMIT $2)
            UNION ALL
            SELECT 'T', NULL,
                   (SELECT COALESCE(SUM(balance), 0) FROM a), (SELECT count(*) FROM a),
                   (SELECT COALESCE(SUM(total), 0) FROM e), (SELECT COALESCE(SUM(n), 0) FROM e),
                   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL""";
}
