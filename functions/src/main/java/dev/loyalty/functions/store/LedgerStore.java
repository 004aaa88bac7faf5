package dev.loyalty.functions.store;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.Hold;
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
            + "reference, description, occurred_at, recorded_at";
    static final String ENTRY_COLUMNS_OF_E = "e." + String.join(", e.", ENTRY_COLUMNS.split(", "));
    static final String HOLD_COLUMNS = "member_id, hold_id, points, status, reference, created_at, expires_at";
    static final String LOT_COLUMNS = "member_id, lot_id, point_type, original_points, remaining_points, earned_at, expires_at";

    public Optional<AccountState> findAccount(Tx tx, MemberId member) {
        return tx.one("SELECT member_id, balance, version FROM accounts WHERE member_id = $1",
                LedgerStore::account, member.value());
    }

    public Optional<AccountState> lockAccount(Tx tx, MemberId member) {
        return tx.one("SELECT member_id, balance, version FROM accounts WHERE member_id = $1 FOR UPDATE",
                LedgerStore::account, member.value());
    }

    /** A member exists from its first earn: create the account if needed, then lock it. */
    public AccountState lockOrCreateAccount(Tx tx, MemberId member, Instant now) {
        tx.query("INSERT INTO accounts(member_id, balance, version, created_at, updated_at) "
                + "VALUES ($1, 0, 0, $2, $2) ON CONFLICT (member_id) DO NOTHING", member.value(), now);
        return lockAccount(tx, member).orElseThrow();
    }

    /**
     * Moves the account to {@code after}. The version check is belt and braces: the row is
     * locked, so a mismatch means a bug, and the transaction must not commit.
     */
    public void updateAccount(Tx tx, AccountState before, AccountState after, Instant now) {
        int updated = tx.query("UPDATE accounts SET balance = $2, version = $3, updated_at = $4 "
                        + "WHERE member_id = $1 AND version = $5",
                after.memberId().value(), after.balance(), after.version(), now, before.version()).rowCount();
        if (updated != 1) {
            throw new IllegalStateException("account " + after.memberId() + " moved under its lock");
        }
    }

    public void insertEntry(Tx tx, LedgerEntry e) {
        insertEntry(tx, e, null);
    }

    /** An entry; {@code reversesEntryId} links a REVERSAL to the transaction it reverses. */
    public void insertEntry(Tx tx, LedgerEntry e, UUID reversesEntryId) {
        tx.query("INSERT INTO ledger_entries(" + ENTRY_COLUMNS + ", reverses_entry_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                e.memberId().value(), e.entryId(), e.sequence(), e.kind().name(), e.points(), e.balanceAfter(),
                e.pointType(), e.reference(), e.description(), e.occurredAt(), e.recordedAt(), reversesEntryId);
    }

    public Optional<LedgerEntry> entry(Tx tx, MemberId member, UUID entryId) {
        return tx.one("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND entry_id = $2",
                LedgerStore::entry, member.value(), entryId);
    }

    public void insertAllocations(Tx tx, MemberId member, UUID entryId, List<Allocation> allocations) {
        for (int i = 0; i < allocations.size(); i++) {
            Allocation a = allocations.get(i);
            tx.query("INSERT INTO entry_allocations(member_id, entry_id, position, lot_id, points) VALUES ($1,$2,$3,$4,$5)",
                    member.value(), entryId, i, a.lotId(), a.points());
        }
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

    public void updateLotRemaining(Tx tx, Lot lot) {
        int updated = tx.query("UPDATE lots SET remaining_points = $3 WHERE member_id = $1 AND lot_id = $2",
                lot.memberId().value(), lot.lotId(), lot.remainingPoints()).rowCount();
        if (updated != 1) {
            throw new IllegalStateException("lot " + lot.lotId() + " not found for " + lot.memberId());
        }
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

    public List<Hold> heldHolds(Tx tx, MemberId member) {
        return tx.list("SELECT " + HOLD_COLUMNS + " FROM holds WHERE member_id = $1 AND status = 'HELD'",
                LedgerStore::hold, member.value());
    }

    public Optional<Hold> hold(Tx tx, MemberId member, UUID holdId) {
        return tx.one("SELECT " + HOLD_COLUMNS + " FROM holds WHERE member_id = $1 AND hold_id = $2",
                LedgerStore::hold, member.value(), holdId);
    }

    public Optional<Hold> holdByReference(Tx tx, MemberId member, String reference) {
        return tx.one("SELECT " + HOLD_COLUMNS + " FROM holds WHERE member_id = $1 AND reference = $2",
                LedgerStore::hold, member.value(), reference);
    }

    public void insertHold(Tx tx, Hold h, Instant now) {
        tx.query("INSERT INTO holds(" + HOLD_COLUMNS + ", updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                h.memberId().value(), h.holdId(), h.points(), h.status().name(), h.reference(), h.createdAt(),
                h.expiresAt(), now);
    }

    /** Moves a hold out of HELD; only a HELD hold moves (the row lock on the account serialises this). */
    public void updateHoldStatus(Tx tx, Hold h, UUID capturedEntryId, Instant now) {
        int updated = tx.query("UPDATE holds SET status = $3, captured_entry_id = $4, updated_at = $5"
                        + " WHERE member_id = $1 AND hold_id = $2 AND status = 'HELD'",
                h.memberId().value(), h.holdId(), h.status().name(), capturedEntryId, now).rowCount();
        if (updated != 1) {
            throw new IllegalStateException("hold " + h.holdId() + " was not HELD");
        }
    }

    /** Holds and redeems share one reference namespace per member (a capture's entry carries its hold's reference). */
    public boolean spendReferenceInUse(Tx tx, MemberId member, String reference) {
        return tx.one("SELECT EXISTS (SELECT 1 FROM holds WHERE member_id = $1 AND reference = $2)"
                        + " OR EXISTS (SELECT 1 FROM ledger_entries WHERE member_id = $1 AND kind = 'REDEEM' AND reference = $2) AS used",
                r -> r.getBoolean("used"), member.value(), reference).orElse(false);
    }

    public void insertLot(Tx tx, Lot lot, UUID sourceEntryId) {
        tx.query("INSERT INTO lots(" + LOT_COLUMNS + ", source_entry_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                lot.memberId().value(), lot.lotId(), lot.pointType(), lot.originalPoints(), lot.remainingPoints(),
                lot.earnedAt(), lot.expiresAt(), sourceEntryId);
    }

    // ---- Set-based statements for a batch (the queue path): a fixed number of round trips per
    // batch instead of several per record. Arrays are zipped by unnest(); every statement is
    // still keyed by member_id first.

    /**
     * Creates the accounts that do not exist yet, then locks all of them in member id order (the
     * same order as every other batch and as the single-member paths take one lock), and returns
     * their states.
     */
    public Map<MemberId, AccountState> lockOrCreateAccounts(Tx tx, Collection<MemberId> members, Instant now) {
        String[] ids = members.stream().map(MemberId::value).distinct().sorted().toArray(String[]::new);
        tx.query("INSERT INTO accounts(member_id, balance, version, created_at, updated_at)"
                + " SELECT m, 0, 0, $2, $2 FROM unnest($1::text[]) AS m ORDER BY m ON CONFLICT (member_id) DO NOTHING", ids, now);
        Map<MemberId, AccountState> states = new HashMap<>();
        tx.list("SELECT member_id, balance, version FROM accounts WHERE member_id = ANY($1) ORDER BY member_id FOR UPDATE",
                LedgerStore::account, (Object) ids).forEach(a -> states.put(a.memberId(), a));
        if (states.size() != ids.length) {
            throw new IllegalStateException("locked " + states.size() + " of " + ids.length + " accounts");
        }
        return states;
    }

    /** Entries of {@code kind} already recorded for any of the (member, reference) pairs, by "member#reference". */
    public Map<String, LedgerEntry> findByReferences(Tx tx, EntryKind kind, List<MemberId> members, List<String> references) {
        Map<String, LedgerEntry> found = new HashMap<>();
        tx.list("SELECT " + ENTRY_COLUMNS_OF_E + " FROM ledger_entries e JOIN unnest($1::text[], $2::text[]) AS k(member_id, reference)"
                        + " ON e.member_id = k.member_id AND e.reference = k.reference WHERE e.kind = $3",
                LedgerStore::entry, members.stream().map(MemberId::value).toArray(String[]::new),
                references.toArray(String[]::new), kind.name())
                .forEach(e -> found.put(e.memberId().value() + "#" + e.reference(), e));
        return found;
    }

    /** Many entries in one statement. */
    public void insertEntries(Tx tx, List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        int n = entries.size();
        String[] member = new String[n];
        UUID[] id = new UUID[n];
        Long[] sequence = new Long[n];
        String[] kind = new String[n];
        Long[] points = new Long[n];
        Long[] balanceAfter = new Long[n];
        String[] pointType = new String[n];
        String[] reference = new String[n];
        String[] description = new String[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        OffsetDateTime[] recorded = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            LedgerEntry e = entries.get(i);
            member[i] = e.memberId().value();
            id[i] = e.entryId();
            sequence[i] = e.sequence();
            kind[i] = e.kind().name();
            points[i] = e.points();
            balanceAfter[i] = e.balanceAfter();
            pointType[i] = e.pointType();
            reference[i] = e.reference();
            description[i] = e.description();
            occurred[i] = utc(e.occurredAt());
            recorded[i] = utc(e.recordedAt());
        }
        tx.query("INSERT INTO ledger_entries(" + ENTRY_COLUMNS + ") SELECT * FROM unnest($1::text[], $2::uuid[],"
                        + " $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[],"
                        + " $10::timestamptz[], $11::timestamptz[])",
                member, id, sequence, kind, points, balanceAfter, pointType, reference, description, occurred, recorded);
    }

    /** Many lots in one statement, each with the entry that created it. */
    public void insertLots(Tx tx, List<Lot> lots, List<UUID> sourceEntryIds) {
        if (lots.isEmpty()) {
            return;
        }
        int n = lots.size();
        String[] member = new String[n];
        UUID[] id = new UUID[n];
        String[] pointType = new String[n];
        Long[] original = new Long[n];
        Long[] remaining = new Long[n];
        OffsetDateTime[] earned = new OffsetDateTime[n];
        OffsetDateTime[] expires = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Lot l = lots.get(i);
            member[i] = l.memberId().value();
            id[i] = l.lotId();
            pointType[i] = l.pointType();
            original[i] = l.originalPoints();
            remaining[i] = l.remainingPoints();
            earned[i] = utc(l.earnedAt());
            expires[i] = utc(l.expiresAt());
        }
        tx.query("INSERT INTO lots(" + LOT_COLUMNS + ", source_entry_id) SELECT * FROM unnest($1::text[], $2::uuid[],"
                        + " $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::uuid[])",
                member, id, pointType, original, remaining, earned, expires, sourceEntryIds.toArray(new UUID[0]));
    }

    /**
     * Moves many locked accounts from {@code before} to {@code after} in one statement; as in
     * {@link #updateAccount}, a version mismatch means a bug and fails the transaction.
     */
    public void updateAccounts(Tx tx, Map<MemberId, AccountState> before, Map<MemberId, AccountState> after, Instant now) {
        if (after.isEmpty()) {
            return;
        }
        List<MemberId> members = after.keySet().stream().sorted(java.util.Comparator.comparing(MemberId::value)).toList();
        int updated = tx.query("UPDATE accounts a SET balance = v.balance, version = v.version, updated_at = $5"
                        + " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS v(member_id, balance, version, before_version)"
                        + " WHERE a.member_id = v.member_id AND a.version = v.before_version",
                members.stream().map(MemberId::value).toArray(String[]::new),
                members.stream().map(m -> after.get(m).balance()).toArray(Long[]::new),
                members.stream().map(m -> after.get(m).version()).toArray(Long[]::new),
                members.stream().map(m -> before.get(m).version()).toArray(Long[]::new), now).rowCount();
        if (updated != members.size()) {
            throw new IllegalStateException("accounts moved under their locks: updated " + updated + " of " + members.size());
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    public Optional<LedgerEntry> findByReference(Tx tx, MemberId member, EntryKind kind, String reference) {
        return tx.one("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND kind = $2 AND reference = $3",
                LedgerStore::entry, member.value(), kind.name(), reference);
    }

    public Optional<Lot> lotOfEntry(Tx tx, MemberId member, UUID entryId) {
        return tx.one("SELECT " + LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND source_entry_id = $2",
                LedgerStore::lot, member.value(), entryId);
    }

    /** Lots with points left, in no particular order (the core orders them). */
    public List<Lot> openLots(Tx tx, MemberId member) {
        return tx.list("SELECT " + LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND remaining_points > 0",
                LedgerStore::lot, member.value());
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
