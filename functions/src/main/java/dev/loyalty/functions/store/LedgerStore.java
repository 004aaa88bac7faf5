package dev.loyalty.functions.store;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.reference.ReferenceRule;
import dev.loyalty.core.spend.HoldStatus;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL for accounts, ledger entries and lots. Every statement is keyed by member_id first, so
 * each touches one shard when member_id is the distribution key.
 *
 * <p>Concurrency: a write locks the member's account row ({@code SELECT ... FOR UPDATE}) before
 * reading any state, so writes to one member are serialised and the core always decides on
 * current state. Writers that lock several members lock them in member id order.
 */
@ApplicationScoped
public class LedgerStore {

    static final String ENTRY_COLUMNS = "member_id, entry_id, sequence, kind, points, balance_after, point_type, "
            + "reference, description, occurred_at, recorded_at, request_fingerprint";
    static final String ENTRY_COLUMNS_OF_E = "e." + String.join(", e.", ENTRY_COLUMNS.split(", "));
    static final String LOT_COLUMNS = "member_id, lot_id, point_type, original_points, remaining_points, earned_at, expires_at";

    public Optional<AccountState> findAccount(Tx tx, MemberId member) {
        return tx.one("SELECT member_id, balance, version FROM accounts WHERE member_id = $1",
                LedgerStore::account, member.value());
    }

    public Optional<AccountState> lockAccount(Tx tx, MemberId member) {
        return tx.one("SELECT member_id, balance, version FROM accounts WHERE member_id = $1 FOR UPDATE",
                LedgerStore::account, member.value());
    }

    public Optional<LedgerEntry> entry(Tx tx, MemberId member, UUID entryId) {
        return tx.one("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND entry_id = $2",
                LedgerStore::entry, member.value(), entryId);
    }

    /** An entry's allocations in their original order. */
    public List<Allocation> allocations(Tx tx, MemberId member, UUID entryId) {
        return tx.list("SELECT lot_id, points FROM entry_allocations WHERE member_id = $1 AND entry_id = $2 ORDER BY position",
                r -> new Allocation(r.getUUID("lot_id"), r.getLong("points")), member.value(), entryId);
    }

    /** What earlier reversals of {@code original} restored, per lot. */
    public Map<UUID, Long> restoredByLot(Tx tx, MemberId member, UUID original) {
        Map<UUID, Long> out = new HashMap<>();
        tx.list("SELECT a.lot_id, SUM(a.points) AS points FROM ledger_entries e"
                        + " JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id"
                        + " WHERE e.member_id = $1 AND e.reverses_entry_id = $2 GROUP BY a.lot_id",
                r -> out.put(r.getUUID("lot_id"), r.getLong("points")), member.value(), original);
        return out;
    }

    /** The sum of |points| of earlier reversals of {@code original}. */
    public long alreadyReversed(Tx tx, MemberId member, UUID original) {
        return tx.one("SELECT COALESCE(SUM(ABS(points)), 0) AS total FROM ledger_entries"
                        + " WHERE member_id = $1 AND reverses_entry_id = $2",
                r -> r.getLong("total"), member.value(), original).orElse(0L);
    }

    /** Specific lots, whatever their remaining points (a reversal restores into spent lots). */
    public List<Lot> lots(Tx tx, MemberId member, Collection<UUID> lotIds) {
        if (lotIds.isEmpty()) {
            return List.of();
        }
        return tx.list("SELECT " + LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND lot_id = ANY($2)",
                LedgerStore::lot, member.value(), lotIds.toArray(new UUID[0]));
    }

    /**
     * A member's account with its open lots and HELD holds, as of one snapshot. Columns of the
     * union: k = row kind, tag = a lot's point type or a hold's status, n1/n2 = version and
     * balance, original and remaining points, or (unused) and hold points; t1/t2 = earned or
     * created, and expires.
     */
    public record Snapshot(AccountState account, List<Lot> openLots, List<Hold> heldHolds) {
    }

    /**
     * The account, its open lots and its HELD holds in ONE statement: one round trip, and one
     * snapshot (under READ COMMITTED each statement sees its own, so three separate reads could
     * mix states around a concurrent redeem). Empty when the member has no account.
     */
    public Optional<Snapshot> snapshot(Tx tx, MemberId member) {
        AccountState[] account = new AccountState[1];
        List<Lot> lots = new ArrayList<>();
        List<Hold> holds = new ArrayList<>();
        tx.list("""
                SELECT 'A' AS k, NULL::uuid AS id, NULL::text AS tag, a.version AS n1, a.balance AS n2,
                       NULL::timestamptz AS t1, NULL::timestamptz AS t2, NULL::text AS ref
                  FROM accounts a WHERE a.member_id = $1
                UNION ALL
                SELECT 'L', l.lot_id, l.point_type, l.original_points, l.remaining_points, l.earned_at, l.expires_at, NULL
                  FROM lots l WHERE l.member_id = $1 AND l.remaining_points > 0
                UNION ALL
                SELECT 'H', h.hold_id, h.status, NULL, h.points, h.created_at, h.expires_at, h.reference
                  FROM holds h WHERE h.member_id = $1 AND h.status = 'HELD'""", r -> {
            switch (r.getString("k")) {
                case "A" -> account[0] = new AccountState(member, r.getLong("n2"), r.getLong("n1"));
                case "L" -> lots.add(new Lot(r.getUUID("id"), member, r.getString("tag"), r.getLong("n1"),
                        r.getLong("n2"), Tx.instant(r, "t1"), Tx.instant(r, "t2")));
                default -> holds.add(new Hold(r.getUUID("id"), member, r.getLong("n2"),
                        HoldStatus.valueOf(r.getString("tag")), r.getString("ref"), Tx.instant(r, "t1"),
                        Tx.instant(r, "t2")));
            }
            return r;
        }, member.value());
        return account[0] == null ? Optional.empty() : Optional.of(new Snapshot(account[0], lots, holds));
    }

    /**
     * A hold with what the reference rule needs: the fingerprint of the request that placed it,
     * and the REDEEM entry of its capture with that capture's fingerprint (null until captured).
     */
    public record StoredHold(Hold hold, String fingerprint, UUID capturedEntryId, String captureFingerprint) {
        public ReferenceRule.Prior prior() {
            return ReferenceRule.Prior.hold(hold.holdId(), fingerprint);
        }
    }

    /** An entry with the fingerprint of the request that wrote it (null for rows from before V7). */
    public record StoredEntry(LedgerEntry entry, String fingerprint) {
        public ReferenceRule.Prior prior() {
            return ReferenceRule.Prior.entry(entry.entryId(), fingerprint);
        }
    }

    private static final String STORED_HOLD = "SELECT h.member_id, h.hold_id, h.points, h.status, h.reference, h.created_at,"
            + " h.expires_at, h.request_fingerprint, h.captured_entry_id, e.request_fingerprint AS capture_fingerprint"
            + " FROM holds h LEFT JOIN ledger_entries e ON e.member_id = h.member_id AND e.entry_id = h.captured_entry_id";

    public Optional<StoredHold> hold(Tx tx, MemberId member, UUID holdId) {
        return tx.one(STORED_HOLD + " WHERE h.member_id = $1 AND h.hold_id = $2", LedgerStore::storedHold,
                member.value(), holdId);
    }

    public Optional<StoredHold> holdByReference(Tx tx, MemberId member, String reference) {
        return tx.one(STORED_HOLD + " WHERE h.member_id = $1 AND h.reference = $2", LedgerStore::storedHold,
                member.value(), reference);
    }

    /** Entries of {@code kind} already recorded for any of the (member, reference) pairs, by "member#reference". */
    public Map<String, StoredEntry> findByReferences(Tx tx, EntryKind kind, List<MemberId> members, List<String> references) {
        Map<String, StoredEntry> found = new HashMap<>();
        tx.list("SELECT " + ENTRY_COLUMNS_OF_E + " FROM ledger_entries e JOIN unnest($1::text[], $2::text[]) AS k(member_id, reference)"
                        + " ON e.member_id = k.member_id AND e.reference = k.reference WHERE e.kind = $3",
                LedgerStore::storedEntry, members.stream().map(MemberId::value).toArray(String[]::new),
                references.toArray(String[]::new), kind.name())
                .forEach(e -> found.put(e.entry().memberId().value() + "#" + e.entry().reference(), e));
        return found;
    }

    public Optional<StoredEntry> findByReference(Tx tx, MemberId member, EntryKind kind, String reference) {
        return tx.one("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND kind = $2 AND reference = $3",
                LedgerStore::storedEntry, member.value(), kind.name(), reference);
    }

    public Optional<Lot> lotOfEntry(Tx tx, MemberId member, UUID entryId) {
        return tx.one("SELECT " + LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND source_entry_id = $2",
                LedgerStore::lot, member.value(), entryId);
    }

    /** One page of history, newest first, strictly before {@code beforeSequence} when given. */
    public List<LedgerEntry> history(Tx tx, MemberId member, HistoryFilter f, Long beforeSequence, int rows) {
        return tx.list("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1"
                        + " AND ($2::bigint IS NULL OR sequence < $2)"
                        + " AND ($3::timestamptz IS NULL OR recorded_at >= $3)"
                        + " AND ($4::timestamptz IS NULL OR recorded_at < $4)"
                        + " AND ($5::text IS NULL OR point_type = $5)"
                        + " AND ($6::text IS NULL OR kind = $6)"
                        + " ORDER BY sequence DESC LIMIT $7",
                LedgerStore::entry, member.value(), beforeSequence, f.from(), f.to(), f.pointType(),
                f.kind() == null ? null : f.kind().name(), rows);
    }

    /**
     * A statement's window cut in the member's sequence, read in ONE statement (one snapshot):
     * {@code lo} is the first entry recorded at or after {@code from}, {@code hi} the first
     * recorded at or after {@code to} (the version + 1 when none), so the window [lo, hi) is
     * contiguous and the chain gives both balances exactly. Up to {@code maxRows} entries of it,
     * oldest first; empty when the member has no account.
     */
    public Optional<StatementRows> statement(Tx tx, MemberId member, Instant from, Instant to, int maxRows) {
        List<LedgerEntry> entries = new ArrayList<>();
        long[] bounds = null;
        for (Row r : tx.query("WITH acc AS (SELECT version FROM accounts WHERE member_id = $1),"
                        + " b AS (SELECT"
                        + " COALESCE((SELECT MIN(sequence) FROM ledger_entries WHERE member_id = $1 AND recorded_at >= $2), acc.version + 1) AS lo,"
                        + " COALESCE((SELECT MIN(sequence) FROM ledger_entries WHERE member_id = $1 AND recorded_at >= $3), acc.version + 1) AS hi"
                        + " FROM acc)"
                        + " SELECT b.lo, b.hi,"
                        + " COALESCE((SELECT o.balance_after FROM ledger_entries o WHERE o.member_id = $1 AND o.sequence = b.lo - 1), 0) AS opening,"
                        + " COALESCE((SELECT c.balance_after FROM ledger_entries c WHERE c.member_id = $1 AND c.sequence = b.hi - 1), 0) AS closing,"
                        + " e.*"
                        + " FROM b LEFT JOIN LATERAL (SELECT " + ENTRY_COLUMNS + " FROM ledger_entries"
                        + " WHERE member_id = $1 AND sequence >= b.lo AND sequence < b.hi ORDER BY sequence LIMIT $4) e ON true"
                        + " ORDER BY e.sequence",
                member.value(), from, to, maxRows)) {
            bounds = new long[]{r.getLong("lo"), r.getLong("hi"), r.getLong("opening"), r.getLong("closing")};
            if (r.getUUID("entry_id") != null) {
                entries.add(entry(r));
            }
        }
        if (bounds == null) {
            return Optional.empty();
        }
        return Optional.of(new StatementRows(bounds[1] - bounds[0], bounds[2], bounds[3], entries));
    }

    /** {@code count} is how many entries the window holds, whatever {@code entries} were fetched. */
    public record StatementRows(long count, long openingBalance, long closingBalance, List<LedgerEntry> entries) {
    }

    /** History filters; null means no filter. {@code to} is exclusive. */
    public record HistoryFilter(Instant from, Instant to, String pointType, EntryKind kind) {
    }

    static AccountState account(Row r) {
        return new AccountState(new MemberId(r.getString("member_id")), r.getLong("balance"), r.getLong("version"));
    }

    static LedgerEntry entry(Row r) {
        return new LedgerEntry(r.getUUID("entry_id"), new MemberId(r.getString("member_id")), r.getLong("sequence"),
                EntryKind.valueOf(r.getString("kind")), r.getLong("points"), r.getLong("balance_after"),
                r.getString("point_type"), r.getString("reference"), r.getString("description"),
                Tx.instant(r, "occurred_at"), Tx.instant(r, "recorded_at"));
    }

    static StoredEntry storedEntry(Row r) {
        return new StoredEntry(entry(r), r.getString("request_fingerprint"));
    }

    static StoredHold storedHold(Row r) {
        return new StoredHold(hold(r), r.getString("request_fingerprint"), r.getUUID("captured_entry_id"),
                r.getString("capture_fingerprint"));
    }

    static Hold hold(Row r) {
        return new Hold(r.getUUID("hold_id"), new MemberId(r.getString("member_id")), r.getLong("points"),
                HoldStatus.valueOf(r.getString("status")), r.getString("reference"), Tx.instant(r, "created_at"),
                Tx.instant(r, "expires_at"));
    }

    static Lot lot(Row r) {
        return new Lot(r.getUUID("lot_id"), new MemberId(r.getString("member_id")), r.getString("point_type"),
                r.getLong("original_points"), r.getLong("remaining_points"), Tx.instant(r, "earned_at"),
                Tx.instant(r, "expires_at"));
    }
}
