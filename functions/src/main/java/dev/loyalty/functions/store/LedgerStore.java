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
    static final String LOT_COLUMNS = "member_id, lot_id, point_type, original_points, remaining_points, earned_at, expires_at,"
            + " pending_until";

    // Every read is queued ({@link Tx#later}) and answered after the caller's next round trip
    // ({@link Tx#flush}), so a write sends its lock and all its reads together: one round trip.

    public Tx.Deferred<Optional<AccountState>> findAccount(Tx tx, MemberId member) {
        return tx.laterOne("SELECT member_id, balance, version FROM accounts WHERE member_id = $1",
                LedgerStore::account, member.value());
    }

    /** Locks the member's account row; queued first, it runs before the reads queued after it. */
    public Tx.Deferred<Optional<AccountState>> lockAccount(Tx tx, MemberId member) {
        return tx.laterOne("SELECT member_id, balance, version FROM accounts WHERE member_id = $1 FOR UPDATE",
                LedgerStore::account, member.value());
    }

    public Tx.Deferred<Optional<LedgerEntry>> entry(Tx tx, MemberId member, UUID entryId) {
        return tx.laterOne("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND entry_id = $2",
                LedgerStore::entry, member.value(), entryId);
    }

    /** An entry's allocations in their original order. */
    public Tx.Deferred<List<Allocation>> allocations(Tx tx, MemberId member, UUID entryId) {
        return tx.laterList("SELECT lot_id, points FROM entry_allocations WHERE member_id = $1 AND entry_id = $2 ORDER BY position",
                r -> new Allocation(r.getUUID("lot_id"), r.getLong("points")), member.value(), entryId);
    }

    /** What earlier reversals of {@code original} restored, per lot. */
    public Tx.Deferred<Map<UUID, Long>> restoredByLot(Tx tx, MemberId member, UUID original) {
        return tx.later("SELECT a.lot_id, SUM(a.points) AS points FROM ledger_entries e"
                        + " JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id"
                        + " WHERE e.member_id = $1 AND e.reverses_entry_id = $2 GROUP BY a.lot_id", rows -> {
                    Map<UUID, Long> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("lot_id"), r.getLong("points")));
                    return out;
                }, member.value(), original);
    }

    /** The sum of |points| of earlier reversals of {@code original}. */
    public Tx.Deferred<Long> alreadyReversed(Tx tx, MemberId member, UUID original) {
        return tx.later("SELECT COALESCE(SUM(ABS(points)), 0) AS total FROM ledger_entries"
                        + " WHERE member_id = $1 AND reverses_entry_id = $2",
                rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong("total") : 0L, member.value(), original);
    }

    /**
     * The lots a transaction moved, whatever their remaining points (a reversal restores into
     * spent lots): those its allocations name (a redeem) and the one it created (an earn).
     */
    public Tx.Deferred<List<Lot>> lotsOfEntry(Tx tx, MemberId member, UUID entryId) {
        return tx.laterList("SELECT " + LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND (source_entry_id = $2"
                        + " OR lot_id IN (SELECT lot_id FROM entry_allocations WHERE member_id = $1 AND entry_id = $2))",
                LedgerStore::lot, member.value(), entryId);
    }

    /**
     * A member's account with its open lots and HELD holds, as of one snapshot. Columns of the
     * union: k = row kind, tag = a lot's point type or a hold's status, n1/n2 = version and
     * balance, original and remaining points, or (unused) and hold points; t1/t2 = earned or
     * created, and expires (for the account, t1 = closed_at). {@code closedAt} is null while open.
     */
    public record Snapshot(AccountState account, List<Lot> openLots, List<Hold> heldHolds, Instant closedAt) {
        public Snapshot(AccountState account, List<Lot> openLots, List<Hold> heldHolds) {
            this(account, openLots, heldHolds, null);
        }
    }

    /** A closed account's closing: when, under which reference and request, and what it forfeited. */
    public record Closure(Instant closedAt, String reference, String fingerprint, long forfeited) {
        public ReferenceRule.Prior prior() {
            return new ReferenceRule.Prior(null, null, fingerprint);
        }
    }

    /** The closing of the member's account, empty while it is open (or unknown). */
    public Tx.Deferred<Optional<Closure>> closure(Tx tx, MemberId member) {
        return tx.laterOne("SELECT closed_at, close_reference, close_fingerprint, forfeited FROM accounts"
                        + " WHERE member_id = $1 AND closed_at IS NOT NULL",
                r -> new Closure(Tx.instant(r, "closed_at"), r.getString("close_reference"), r.getString("close_fingerprint"),
                        r.getLong("forfeited")), member.value());
    }

    /** Which of {@code members} are closed (the queue batch parks their records). */
    public Tx.Deferred<java.util.Set<MemberId>> closedMembers(Tx tx, Collection<MemberId> members) {
        return tx.later("SELECT member_id FROM accounts WHERE member_id = ANY($1) AND closed_at IS NOT NULL", rows -> {
            java.util.Set<MemberId> closed = new java.util.HashSet<>();
            rows.forEach(r -> closed.add(new MemberId(r.getString("member_id"))));
            return closed;
        }, (Object) members.stream().map(MemberId::value).distinct().toArray(String[]::new));
    }

    /**
     * The account, its open lots and its HELD holds in ONE statement: one snapshot (under READ
     * COMMITTED each statement sees its own, so three separate reads could mix states around a
     * concurrent redeem). Empty when the member has no account.
     */
    public Tx.Deferred<Optional<Snapshot>> snapshot(Tx tx, MemberId member) {
        return tx.later("""
                SELECT 'A' AS k, NULL::uuid AS id, NULL::text AS tag, a.version AS n1, a.balance AS n2,
                       a.closed_at AS t1, NULL::timestamptz AS t2, NULL::text AS ref, NULL::timestamptz AS t3
                  FROM accounts a WHERE a.member_id = $1
                UNION ALL
                SELECT 'L', l.lot_id, l.point_type, l.original_points, l.remaining_points, l.earned_at, l.expires_at, NULL,
                       l.pending_until
                  FROM lots l WHERE l.member_id = $1 AND l.remaining_points > 0
                UNION ALL
                SELECT 'H', h.hold_id, h.status, NULL, h.points, h.created_at, h.expires_at, h.reference, NULL
                  FROM holds h WHERE h.member_id = $1 AND h.status = $2""", rows -> {
            AccountState account = null;
            Instant closedAt = null;
            List<Lot> lots = new ArrayList<>();
            List<Hold> holds = new ArrayList<>();
            for (Row r : rows) {
                switch (r.getString("k")) {
                    case "A" -> {
                        account = new AccountState(member, r.getLong("n2"), r.getLong("n1"));
                        closedAt = Tx.instant(r, "t1");
                    }
                    case "L" -> lots.add(new Lot(r.getUUID("id"), member, r.getString("tag"), r.getLong("n1"),
                            r.getLong("n2"), Tx.instant(r, "t1"), Tx.instant(r, "t2"), Tx.instant(r, "t3")));
                    default -> holds.add(new Hold(r.getUUID("id"), member, r.getLong("n2"),
                            HoldStatus.valueOf(r.getString("tag")), r.getString("ref"), Tx.instant(r, "t1"),
                            Tx.instant(r, "t2")));
                }
            }
            return account == null ? Optional.<Snapshot>empty() : Optional.of(new Snapshot(account, lots, holds, closedAt));
        }, member.value(), HoldStatus.HELD.name());
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

    public Tx.Deferred<Optional<StoredHold>> hold(Tx tx, MemberId member, UUID holdId) {
        return tx.laterOne(STORED_HOLD + " WHERE h.member_id = $1 AND h.hold_id = $2", LedgerStore::storedHold,
                member.value(), holdId);
    }

    public Tx.Deferred<Optional<StoredHold>> holdByReference(Tx tx, MemberId member, String reference) {
        return tx.laterOne(STORED_HOLD + " WHERE h.member_id = $1 AND h.reference = $2", LedgerStore::storedHold,
                member.value(), reference);
    }

    /** Entries of {@code kind} already recorded for any of the (member, reference) pairs, by "member#reference". */
    public Tx.Deferred<Map<String, StoredEntry>> findByReferences(Tx tx, EntryKind kind, List<MemberId> members,
                                                                 List<String> references) {
        return tx.later("SELECT " + ENTRY_COLUMNS_OF_E + " FROM ledger_entries e JOIN unnest($1::text[], $2::text[]) AS k(member_id, reference)"
                        + " ON e.member_id = k.member_id AND e.reference = k.reference WHERE e.kind = $3 AND e.rule_id IS NULL", rows -> {
                    Map<String, StoredEntry> found = new HashMap<>();
                    rows.forEach(r -> {
                        StoredEntry e = storedEntry(r);
                        found.put(e.entry().memberId().value() + "#" + e.entry().reference(), e);
                    });
                    return found;
                }, members.stream().map(MemberId::value).toArray(String[]::new),
                references.toArray(String[]::new), kind.name());
    }

    public Tx.Deferred<Optional<StoredEntry>> findByReference(Tx tx, MemberId member, EntryKind kind, String reference) {
        return tx.laterOne("SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND kind = $2 AND reference = $3"
                        // a rule award shares its business event's reference; direct writes have their own namespace
                        + " AND rule_id IS NULL",
                LedgerStore::storedEntry, member.value(), kind.name(), reference);
    }

    public Tx.Deferred<Optional<Lot>> lotOfEntry(Tx tx, MemberId member, UUID entryId) {
        return tx.laterOne("SELECT " + LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND source_entry_id = $2",
                LedgerStore::lot, member.value(), entryId);
    }

    /** One page of history, newest first, strictly before {@code beforeSequence} when given. */
    /** An entry with its audit trail (null for entries from before V10 and for writes outside a request). */
    public record HistoryRow(LedgerEntry entry, Actor actor) {
    }

    public Tx.Deferred<List<HistoryRow>> history(Tx tx, MemberId member, HistoryFilter f, Long beforeSequence, int rows) {
        return tx.laterList("SELECT " + ENTRY_COLUMNS + ", actor_sub, actor_source, request_id FROM ledger_entries WHERE member_id = $1"
                        + " AND ($2::bigint IS NULL OR sequence < $2)"
                        + " AND ($3::timestamptz IS NULL OR recorded_at >= $3)"
                        + " AND ($4::timestamptz IS NULL OR recorded_at < $4)"
                        + " AND ($5::text IS NULL OR point_type = $5)"
                        + " AND ($6::text IS NULL OR kind = $6)"
                        + " ORDER BY sequence DESC LIMIT $7",
                LedgerStore::historyRow,
                member.value(), beforeSequence, f.from(), f.to(), f.pointType(),
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
        List<HistoryRow> entries = new ArrayList<>();
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
                        + " FROM b LEFT JOIN LATERAL (SELECT " + ENTRY_COLUMNS + ", actor_sub, actor_source, request_id FROM ledger_entries"
                        + " WHERE member_id = $1 AND sequence >= b.lo AND sequence < b.hi ORDER BY sequence LIMIT $4) e ON true"
                        + " ORDER BY e.sequence",
                member.value(), from, to, maxRows)) {
            bounds = new long[]{r.getLong("lo"), r.getLong("hi"), r.getLong("opening"), r.getLong("closing")};
            if (r.getUUID("entry_id") != null) {
                entries.add(historyRow(r));
            }
        }
        if (bounds == null) {
            return Optional.empty();
        }
        return Optional.of(new StatementRows(bounds[1] - bounds[0], bounds[2], bounds[3], entries));
    }

    /** {@code count} is how many entries the window holds, whatever {@code entries} were fetched. */
    public record StatementRows(long count, long openingBalance, long closingBalance, List<HistoryRow> entries) {
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

    static HistoryRow historyRow(Row r) {
        return new HistoryRow(entry(r), r.getString("actor_source") == null ? null
                : new Actor(r.getString("actor_sub"), r.getString("actor_source"), r.getString("request_id")));
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
                Tx.instant(r, "expires_at"), Tx.instant(r, "pending_until"));
    }

    // ---- business events (program rules)

    /** A business event already recorded: the fingerprint of its request and the answer it got. */
    public record StoredEvent(String fingerprint, String answerJson, UUID firstTransactionId) {
    }

    public Tx.Deferred<Optional<StoredEvent>> businessEvent(Tx tx, MemberId member, String reference) {
        return tx.laterOne("SELECT request_fingerprint, answer::text AS answer,"
                        // an event's first award, or a return's first RETURN entry (null when it took nothing)
                        + " COALESCE(answer->'awards'->0->>'transactionId', answer->'transactionIds'->>0)::uuid AS first_tx"
                        + " FROM business_events WHERE member_id = $1 AND reference = $2",
                r -> new StoredEvent(r.getString("request_fingerprint"), r.getString("answer"), r.getUUID("first_tx")),
                member.value(), reference);
    }

    /**
     * The business events already recorded under any of the (member, reference) pairs of a queue
     * batch, by "member#reference", in ONE statement.
     */
    public Tx.Deferred<Map<String, StoredEvent>> businessEvents(Tx tx, List<MemberId> members, List<String> references) {
        return tx.later("SELECT b.member_id, b.reference, b.request_fingerprint, b.answer::text AS answer,"
                        + " COALESCE(b.answer->'awards'->0->>'transactionId', b.answer->'transactionIds'->>0)::uuid AS first_tx"
                        + " FROM business_events b JOIN unnest($1::text[], $2::text[]) AS k(member_id, reference)"
                        + " ON b.member_id = k.member_id AND b.reference = k.reference", rows -> {
                    Map<String, StoredEvent> found = new HashMap<>();
                    rows.forEach(r -> found.put(r.getString("member_id") + "#" + r.getString("reference"),
                            new StoredEvent(r.getString("request_fingerprint"), r.getString("answer"), r.getUUID("first_tx"))));
                    return found;
                }, members.stream().map(MemberId::value).toArray(String[]::new), references.toArray(String[]::new));
    }

    /** When each of {@code members} that is closed was closed (a queue batch's events refuse them). */
    public Tx.Deferred<Map<MemberId, Instant>> closings(Tx tx, Collection<MemberId> members) {
        return tx.later("SELECT member_id, closed_at FROM accounts WHERE member_id = ANY($1) AND closed_at IS NOT NULL", rows -> {
            Map<MemberId, Instant> closed = new HashMap<>();
            rows.forEach(r -> closed.put(new MemberId(r.getString("member_id")), Tx.instant(r, "closed_at")));
            return closed;
        }, (Object) members.stream().map(MemberId::value).distinct().toArray(String[]::new));
    }

    /** One member's usage of one capped rule in one period (a row of {@code cap_usage}). */
    public record CapSlot(MemberId member, String ruleId, dev.loyalty.core.rules.CapPeriod period, java.time.LocalDate start) {
    }

    /**
     * The cap usage of every capped rule in the given (member, period, period start) triples (a
     * queue batch's events: each one's DAY, WEEK and MONTH), in ONE statement.
     */
    public Tx.Deferred<Map<CapSlot, dev.loyalty.core.rules.CapUsage.Used>> capUsages(Tx tx, List<MemberId> members,
                                                                                   List<dev.loyalty.core.rules.CapPeriod> periods,
                                                                                   List<java.time.LocalDate> starts) {
        return tx.later("SELECT c.member_id, c.rule_id, c.period, c.period_start, c.points, c.events FROM cap_usage c"
                        + " JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(member_id, period, period_start)"
                        + " ON c.member_id = k.member_id AND c.period = k.period AND c.period_start = k.period_start", rows -> {
                    Map<CapSlot, dev.loyalty.core.rules.CapUsage.Used> used = new HashMap<>();
                    rows.forEach(r -> used.put(new CapSlot(new MemberId(r.getString("member_id")), r.getString("rule_id"),
                                    dev.loyalty.core.rules.CapPeriod.valueOf(r.getString("period")), r.getLocalDate("period_start")),
                            new dev.loyalty.core.rules.CapUsage.Used(r.getLong("points"), r.getLong("events"))));
                    return used;
                }, members.stream().map(MemberId::value).toArray(String[]::new),
                periods.stream().map(Enum::name).toArray(String[]::new), starts.toArray(java.time.LocalDate[]::new));
    }

    /** The member's usage of every capped rule in the DAY, WEEK and MONTH that hold the event. */
    public Tx.Deferred<dev.loyalty.core.rules.CapUsage> capUsage(Tx tx, MemberId member,
                                                                 java.util.Map<dev.loyalty.core.rules.CapPeriod, java.time.LocalDate> starts) {
        return tx.later("SELECT rule_id, period, points, events FROM cap_usage WHERE member_id = $1 AND ("
                        + "(period = 'DAY' AND period_start = $2) OR (period = 'WEEK' AND period_start = $3)"
                        + " OR (period = 'MONTH' AND period_start = $4))", rows -> {
                    java.util.Map<dev.loyalty.core.rules.CapUsage.Key, dev.loyalty.core.rules.CapUsage.Used> used = new HashMap<>();
                    rows.forEach(r -> used.put(new dev.loyalty.core.rules.CapUsage.Key(r.getString("rule_id"),
                                    dev.loyalty.core.rules.CapPeriod.valueOf(r.getString("period"))),
                            new dev.loyalty.core.rules.CapUsage.Used(r.getLong("points"), r.getLong("events"))));
                    return new dev.loyalty.core.rules.CapUsage(used);
                }, member.value(), starts.get(dev.loyalty.core.rules.CapPeriod.DAY),
                starts.get(dev.loyalty.core.rules.CapPeriod.WEEK), starts.get(dev.loyalty.core.rules.CapPeriod.MONTH));
    }

    // ---- returns

    /** A purchase as the return rule reads it, with the rule set version it was evaluated by (the return records it). */
    public record StoredPurchase(dev.loyalty.core.returns.Purchase purchase, long rulesVersion) {
    }

    /**
     * The purchase a return names, with everything the return rule needs, read in ONE statement
     * (one snapshot): the business event (its amount; a return is no purchase), how much its
     * returns have returned so far (the latest return's running total), and its awards (EARN
     * entries with a rule id under the event's reference) with their lots, what earlier returns
     * gave back of each and what reversals of each took. Empty when the member
     * has no business event with this reference (or it is itself a return).
     */
    public Tx.Deferred<Optional<StoredPurchase>> purchase(Tx tx, MemberId member, String reference) {
        return tx.later("""
                SELECT b.amount, b.occurred_at, b.rules_version,
                       COALESCE((SELECT max(r.returned_so_far) FROM returns r
                                  WHERE r.member_id = b.member_id AND r.original_reference = b.reference), 0) AS so_far,
                       e.entry_id, e.rule_id, e.point_type, e.points, l.lot_id,
                       COALESCE((SELECT sum(ra.due) FROM return_awards ra
                                  WHERE ra.member_id = e.member_id AND ra.award_entry_id = e.entry_id), 0) AS returned_before,
                       COALESCE((SELECT -sum(v.points) FROM ledger_entries v WHERE v.member_id = e.member_id
                                  AND v.reverses_entry_id = e.entry_id AND v.kind = 'REVERSAL'), 0) AS reversed
                  FROM business_events b
                  LEFT JOIN ledger_entries e ON e.member_id = b.member_id AND e.reference = b.reference
                       AND e.kind = 'EARN' AND e.rule_id IS NOT NULL
                  LEFT JOIN lots l ON l.member_id = e.member_id AND l.source_entry_id = e.entry_id
                 WHERE b.member_id = $1 AND b.reference = $2 AND b.event <> $3
                 ORDER BY e.sequence""", rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.<StoredPurchase>empty();
                    }
                    Long amount = null;
                    long soFar = 0;
                    long rulesVersion = 0;
                    List<dev.loyalty.core.returns.PurchaseAward> awards = new ArrayList<>();
                    for (Row r : rows) {
                        amount = r.getLong("amount");
                        soFar = r.getLong("so_far");
                        rulesVersion = r.getLong("rules_version");
                        if (r.getUUID("entry_id") != null) {
                            awards.add(new dev.loyalty.core.returns.PurchaseAward(r.getUUID("entry_id"), r.getString("rule_id"),
                                    r.getString("point_type"), r.getLong("points"), Tx.instant(r, "occurred_at"),
                                    r.getUUID("lot_id"), ((Number) r.getValue("returned_before")).longValue(),
                                    ((Number) r.getValue("reversed")).longValue()));
                        }
                    }
                    return Optional.of(new StoredPurchase(new dev.loyalty.core.returns.Purchase(reference, amount, soFar, awards),
                            rulesVersion));
                }, member.value(), reference, dev.loyalty.core.rules.RulesEngine.RETURN_EVENT);
    }

    // ---- member tiers

    /**
     * A member's stored tier state: its record (null: none yet), the tier set version and review
     * instant stored with it, when its account was created, and its qualifying day rows from the
     * first day a decision now can need ({@link dev.loyalty.core.tiers.QualifyingPoints#firstDayToRead}).
     */
    public record TierState(MemberId member, dev.loyalty.core.tiers.TierRecord record, Long tierSetVersion, Instant reviewAt,
                            Instant accountCreatedAt, List<dev.loyalty.core.tiers.QualifyingDay> rows) {
    }

    /**
     * The tier state of each given member in ONE statement: its member_tiers row, its account's
     * creation, and its qualifying days from a year before the earlier of today and its last
     * evaluation (the UTC date less 367 days covers any program time zone's); one index range per
     * member. Members with no account are left out.
     */
    public Tx.Deferred<Map<MemberId, TierState>> tierStates(Tx tx, Collection<MemberId> members, java.time.LocalDate today) {
        String[] ids = members.stream().map(MemberId::value).distinct().sorted().toArray(String[]::new);
        // The first day read: QualifyingPoints.firstDayRead, in SQL ($2: its floor).
        java.time.LocalDate floor = dev.loyalty.core.tiers.QualifyingPoints.readFloor(today);
        // One member (every write and read): member_id = $1; a batch: = ANY($1).
        String match = ids.length == 1 ? "= $1" : "= ANY($1)";
        return tx.later("""
                SELECT 'A' AS k, a.member_id, NULL::text AS s, NULL::date AS d, a.created_at AS t1, NULL::timestamptz AS t2,
                       NULL::timestamptz AS t3, NULL::timestamptz AS t4, NULL::bigint AS n, NULL::text AS r
                  FROM accounts a WHERE a.member_id %1$s
                UNION ALL
                SELECT 'T', t.member_id, t.tier, NULL, t.since, t.below_since, t.evaluated_at, t.review_at, t.tier_set_version,
                       t.below_reason
                  FROM member_tiers t WHERE t.member_id %1$s
                UNION ALL
                SELECT 'D', q.member_id, q.point_type, q.day, NULL, NULL, NULL, NULL, q.points, NULL
                  FROM qualifying_days q
                 WHERE q.member_id %1$s
                   AND q.day >= LEAST($2::date, COALESCE((SELECT (t.evaluated_at AT TIME ZONE 'UTC')::date - 368
                                                            FROM member_tiers t WHERE t.member_id = q.member_id), $2::date))"""
                .formatted(match), rows -> {
            Map<String, Instant> created = new HashMap<>();
            Map<String, Row> tiers = new HashMap<>();
            Map<String, List<dev.loyalty.core.tiers.QualifyingDay>> days = new HashMap<>();
            for (Row r : rows) {
                String m = r.getString("member_id");
                switch (r.getString("k")) {
                    case "A" -> created.put(m, Tx.instant(r, "t1"));
                    case "T" -> tiers.put(m, r);
                    default -> days.computeIfAbsent(m, x -> new ArrayList<>()).add(
                            new dev.loyalty.core.tiers.QualifyingDay(r.getLocalDate("d"), r.getString("s"), r.getLong("n")));
                }
            }
            Map<MemberId, TierState> out = new HashMap<>();
            created.forEach((m, at) -> {
                Row t = tiers.get(m);
                dev.loyalty.core.tiers.TierRecord record = t == null ? null : tierRecord(t.getString("s"), Tx.instant(t, "t1"),
                        Tx.instant(t, "t2"), t.getString("r"), Tx.instant(t, "t3"));
                out.put(new MemberId(m), new TierState(new MemberId(m), record, t == null ? null : t.getLong("n"),
                        t == null ? null : Tx.instant(t, "t4"), at, List.copyOf(days.getOrDefault(m, List.of()))));
            });
            return out;
        }, ids.length == 1 ? ids[0] : ids, floor);
    }

    /** A stored member_tiers row's record ({@code belowReason} null before V20: GRACE_ENDED when below). */
    public static dev.loyalty.core.tiers.TierRecord tierRecord(String tier, Instant since, Instant belowSince, String belowReason,
                                                              Instant evaluatedAt) {
        return new dev.loyalty.core.tiers.TierRecord(tier, since, belowSince,
                belowReason == null ? null : dev.loyalty.core.tiers.TierChangeReason.valueOf(belowReason), evaluatedAt);
    }

    /** The most tier history items a read answers (the latest ones). */
    public static final int TIER_HISTORY_MAX = 100;

    /** The member's recorded tier changes, oldest first (the latest {@link #TIER_HISTORY_MAX}). */
    public Tx.Deferred<List<dev.loyalty.core.tiers.TierChange>> tierHistory(Tx tx, MemberId member) {
        return tx.later("SELECT from_tier, to_tier, at, reason FROM (SELECT * FROM member_tier_history WHERE member_id = $1"
                + " ORDER BY position DESC LIMIT $2) h ORDER BY position", rows -> {
            List<dev.loyalty.core.tiers.TierChange> out = new ArrayList<>();
            rows.forEach(r -> out.add(new dev.loyalty.core.tiers.TierChange(r.getString("from_tier"), r.getString("to_tier"),
                    Tx.instant(r, "at"), dev.loyalty.core.tiers.TierChangeReason.valueOf(r.getString("reason")))));
            return out;
        }, member.value(), TIER_HISTORY_MAX);
    }
}
