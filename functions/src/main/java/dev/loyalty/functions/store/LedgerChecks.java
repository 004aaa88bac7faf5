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
 *   <li>account balance = sum of the member's entries;</li>
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

    public List<Violation> checkAll(int limitPerCheck) {
        return check(limitPerCheck, null);
    }

    /** The checks for {@code members} only (incremental reconcile), or for everyone when null. */
    public List<Violation> check(int limitPerCheck, String[] members) {
        return db.read(tx -> {
            List<Violation> out = new ArrayList<>();
            out.addAll(tx.list("""
                    SELECT a.member_id, a.balance, COALESCE(e.total, 0) AS total
                    FROM accounts a
                    LEFT JOIN (SELECT member_id, SUM(points) AS total FROM ledger_entries GROUP BY member_id) e
                      ON e.member_id = a.member_id
                    WHERE a.balance <> COALESCE(e.total, 0) AND ($2::text[] IS NULL OR a.member_id = ANY($2))
                    ORDER BY a.member_id LIMIT $1""",
                    r -> new Violation(r.getString("member_id"), "BALANCE_EQUALS_ENTRY_SUM",
                            String.valueOf(r.getLong("balance")), r.getValue("total").toString()), limitPerCheck, members));
            out.addAll(tx.list("""
                    SELECT a.member_id, a.balance, COALESCE(l.total, 0) AS total
                    FROM accounts a
                    LEFT JOIN (SELECT member_id, SUM(remaining_points) AS total FROM lots GROUP BY member_id) l
                      ON l.member_id = a.member_id
                    WHERE a.balance <> COALESCE(l.total, 0) AND ($2::text[] IS NULL OR a.member_id = ANY($2))
                    ORDER BY a.member_id LIMIT $1""",
                    r -> new Violation(r.getString("member_id"), "BALANCE_EQUALS_LOT_SUM",
                            String.valueOf(r.getLong("balance")), r.getValue("total").toString()), limitPerCheck, members));
            out.addAll(tx.list("""
                    SELECT member_id, sequence, expected, balance_after FROM (
                      SELECT member_id, sequence, balance_after,
                             LAG(balance_after, 1, 0::bigint) OVER w + points AS expected,
                             ROW_NUMBER() OVER w AS position
                      FROM ledger_entries WHERE ($2::text[] IS NULL OR member_id = ANY($2))
                      WINDOW w AS (PARTITION BY member_id ORDER BY sequence)) c
                    WHERE balance_after <> expected OR sequence <> position
                    ORDER BY member_id, sequence LIMIT $1""",
                    r -> new Violation(r.getString("member_id"), "BALANCE_AFTER_CHAIN",
                            "sequence " + r.getLong("sequence") + " balanceAfter " + r.getLong("expected"),
                            String.valueOf(r.getLong("balance_after"))), limitPerCheck, members));
            out.addAll(tx.list("""
                    SELECT a.member_id, a.balance, a.version, COALESCE(e.n, 0) AS n, e.last_balance
                    FROM accounts a
                    LEFT JOIN (SELECT DISTINCT ON (member_id) member_id, sequence AS n, balance_after AS last_balance
                               FROM ledger_entries ORDER BY member_id, sequence DESC) e ON e.member_id = a.member_id
                    WHERE (a.version <> COALESCE(e.n, 0) OR (e.n IS NOT NULL AND e.last_balance <> a.balance))
                      AND ($2::text[] IS NULL OR a.member_id = ANY($2))
                    ORDER BY a.member_id LIMIT $1""",
                    r -> new Violation(r.getString("member_id"), "ACCOUNT_MATCHES_LAST_ENTRY",
                            "version " + r.getLong("n") + " balance " + r.getValue("last_balance"),
                            "version " + r.getLong("version") + " balance " + r.getLong("balance")), limitPerCheck, members));
            out.addAll(tx.list("""
                    SELECT member_id, 'account' AS what, balance AS value FROM accounts
                    WHERE balance < 0 AND ($2::text[] IS NULL OR member_id = ANY($2))
                    UNION ALL
                    SELECT member_id, 'lot ' || lot_id, remaining_points FROM lots
                    WHERE remaining_points < 0 AND ($2::text[] IS NULL OR member_id = ANY($2))
                    LIMIT $1""",
                    r -> new Violation(r.getString("member_id"), "NO_NEGATIVE", ">= 0",
                            r.getString("what") + " " + r.getLong("value")), limitPerCheck, members));
            return out;
        });
    }
}
