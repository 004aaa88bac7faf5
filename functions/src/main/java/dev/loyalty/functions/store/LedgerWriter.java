package dev.loyalty.functions.store;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.events.DomainEvent;
import dev.loyalty.core.events.DomainEvents;
import dev.loyalty.core.events.EventType;
import dev.loyalty.core.spend.AdjustOutcome;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CaptureOutcome;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldOutcome;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.core.spend.RedeemOutcome;
import dev.loyalty.core.spend.ReversalOutcome;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.core.spend.SpendingOrder;
import dev.loyalty.core.spend.TransferOutcome;
import dev.loyalty.core.spend.VoidOutcome;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The one writer of the ledger tables (accounts, ledger_entries, lots, entry_allocations,
 * holds): it persists what a core rule decided, for one member or for a batch, and nothing
 * else writes these tables. Every statement is keyed by member_id first.
 *
 * <p>Each method runs inside the caller's transaction, after the caller locked the members'
 * account rows. Every entry is stored with the fingerprint of the request that made it
 * ({@link dev.loyalty.core.reference.RequestFingerprint}), so the reference rule can tell a
 * retry from a different request forever. The outbox of "Events out" belongs here, in the
 * same transaction as each change.
 *
 * <p>Account moves check the version they expect: the row is locked, so a mismatch is a bug and
 * fails the transaction.
 */
@ApplicationScoped
public class LedgerWriter {

    /**
     * The benchmark's baseline only ({@code LOYALTY_BENCH_WITHOUT_OUTBOX=true}): writes no
     * domain events at all, so `./loyalty bench` can hold the write path with the outbox against
     * the same path without it. Never set outside the benchmark: Terraform does not pass it (a
     * test holds that), and a function started with it logs a warning.
     */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "loyalty.bench.without-outbox", defaultValue = "false")
    boolean withoutOutbox;

    @jakarta.annotation.PostConstruct
    void warnWithoutOutbox() {
        if (withoutOutbox) {
            org.jboss.logging.Logger.getLogger(LedgerWriter.class)
                    .warn("loyalty.bench.without-outbox is set: this function writes NO domain events (benchmark baseline only)");
        }
    }

    /** Event ids: random, fixed once written (consumers dedupe on them). */
    private static final java.util.function.Supplier<UUID> IDS = UUID::randomUUID;

    private static final String ENTRY_COLUMNS = "member_id, entry_id, sequence, kind, points, balance_after, point_type, "
            + "reference, description, occurred_at, recorded_at, request_fingerprint, reverses_entry_id, "
            + "actor_sub, actor_source, request_id";
    private static final String LOT_COLUMNS = "member_id, lot_id, point_type, original_points, remaining_points, "
            + "earned_at, expires_at, source_entry_id, pending_until";

    // ---- accounts

    /**
     * A member exists from its first earn: queues the creation of its account if needed, to
     * run before whatever the caller queues next (its lock), in the same round trip.
     */
    public void openAccount(Tx tx, MemberId member, Instant now) {
        tx.later("INSERT INTO accounts(member_id, balance, version, created_at, updated_at) "
                + "VALUES ($1, 0, 0, $2, $2) ON CONFLICT (member_id) DO NOTHING", r -> null, member.value(), now);
    }

    /**
     * Creates the accounts that do not exist yet, then locks all of them in member id order (the
     * same order as every other batch and as the single-member paths take one lock), and returns
     * their states.
     */
    public Tx.Deferred<Map<MemberId, AccountState>> openAccounts(Tx tx, Collection<MemberId> members, Instant now) {
        String[] ids = members.stream().map(MemberId::value).distinct().sorted().toArray(String[]::new);
        tx.later("INSERT INTO accounts(member_id, balance, version, created_at, updated_at)"
                + " SELECT m, 0, 0, $2, $2 FROM unnest($1::text[]) AS m ORDER BY m ON CONFLICT (member_id) DO NOTHING",
                r -> null, ids, now);
        return tx.later("SELECT member_id, balance, version FROM accounts WHERE member_id = ANY($1) ORDER BY member_id FOR UPDATE",
                rows -> {
                    Map<MemberId, AccountState> states = new HashMap<>();
                    rows.forEach(r -> states.put(new MemberId(r.getString("member_id")),
                            LedgerStore.account(r)));
                    if (states.size() != ids.length) {
                        throw new IllegalStateException("locked " + states.size() + " of " + ids.length + " accounts");
                    }
                    return states;
                }, (Object) ids);
    }

    // ---- one member, one outcome

    public void earned(Tx tx, AccountState before, EarnOutcome.Earned e, String fingerprint, Instant now) {
        insertEntry(tx, e.entry(), fingerprint, null);
        insertLot(tx, e.lot(), e.entry().entryId());
        moveAccount(tx, before, e.after(), now);
        emit(tx, List.of(DomainEvents.earned(e, IDS)));
    }

    public void redeemed(Tx tx, AccountState before, RedeemOutcome.Redeemed r, String fingerprint, Instant now) {
        debit(tx, before, r.entry(), r.allocations(), r.changedLots(), r.after(), fingerprint, null, now);
        emit(tx, List.of(DomainEvents.redeemed(r, IDS)));
    }

    public void holdPlaced(Tx tx, HoldOutcome.HoldPlaced h, String fingerprint, Instant now) {
        Hold hold = h.hold();
        tx.later("INSERT INTO holds(member_id, hold_id, points, status, reference, created_at, expires_at, updated_at,"
                        + " request_fingerprint) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", r -> null,
                hold.memberId().value(), hold.holdId(), hold.points(), hold.status().name(), hold.reference(),
                hold.createdAt(), hold.expiresAt(), now, fingerprint);
        emit(tx, List.of(DomainEvents.holdPlaced(h, now, IDS)));
    }

    public void captured(Tx tx, AccountState before, CaptureOutcome.Captured c, String fingerprint, Instant now) {
        debit(tx, before, c.entry(), c.allocations(), c.changedLots(), c.after(), fingerprint, null, now);
        moveHold(tx, c.hold(), c.entry().entryId(), now);
        emit(tx, List.of(DomainEvents.captured(c, IDS)));
    }

    public void voided(Tx tx, VoidOutcome.Voided v, Instant now) {
        moveHold(tx, v.hold(), null, now);
        emit(tx, List.of(DomainEvents.voided(v, now, IDS)));
    }

    public void reversed(Tx tx, AccountState before, ReversalOutcome.Reversed r, UUID reverses, String fingerprint,
                         Instant now) {
        debit(tx, before, r.entry(), r.allocations(), r.changedLots(), r.after(), fingerprint, reverses, now);
        emit(tx, List.of(DomainEvents.reversed(r, reverses, IDS)));
    }

    public void transferred(Tx tx, AccountState senderBefore, AccountState receiverBefore, TransferOutcome.Transferred t,
                            String fingerprint, Instant now) {
        debit(tx, senderBefore, t.out(), t.outAllocations(), t.changedSenderLots(), t.senderAfter(), fingerprint, null, now);
        insertEntry(tx, t.in(), null, null);
        for (Lot lot : t.newReceiverLots()) {
            insertLot(tx, lot, t.in().entryId());
        }
        moveAccount(tx, receiverBefore, t.receiverAfter(), now);
        emit(tx, DomainEvents.transferred(t, IDS));
    }

    public void adjusted(Tx tx, AccountState before, AdjustOutcome outcome, String fingerprint, Instant now) {
        switch (outcome) {
            case AdjustOutcome.Credited c -> {
                insertEntry(tx, c.entry(), fingerprint, null);
                insertLot(tx, c.lot(), c.entry().entryId());
                moveAccount(tx, before, c.after(), now);
            }
            case AdjustOutcome.Debited d ->
                    debit(tx, before, d.entry(), d.allocations(), d.changedLots(), d.after(), fingerprint, null, now);
            case dev.loyalty.core.spend.Refused r -> throw new IllegalArgumentException("a refusal writes nothing");
        }
        emit(tx, List.of(DomainEvents.adjusted(outcome, IDS)));
    }

    /**
     * Closes the account: the forfeiture entry (if anything was left) and its lots, the voided
     * holds, the account's closing (when, why, its reference and request fingerprint, what it
     * forfeited), and {@code account.closed}.
     */
    public void closed(Tx tx, AccountState before, dev.loyalty.core.spend.CloseOutcome.Closed c, String reason,
                       String reference, String fingerprint, Instant now) {
        if (c.forfeiture() != null) {
            debit(tx, before, c.forfeiture(), c.allocations(), c.changedLots(), c.after(), fingerprint, null, now);
        }
        for (Hold hold : c.voidedHolds()) {
            moveHold(tx, hold, null, now);
        }
        tx.later("WITH u AS (UPDATE accounts SET closed_at = $2, close_reason = $3, close_reference = $4,"
                        + " close_fingerprint = $5, forfeited = $6, updated_at = $2 WHERE member_id = $1 AND closed_at IS NULL"
                        + " RETURNING 1) SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", r -> null,
                before.memberId().value(), c.closedAt(), reason, reference, fingerprint, c.forfeited());
        emit(tx, List.of(DomainEvents.closed(c, before.memberId(), reason, IDS)));
    }

    // ---- rewards and redemptions

    /** The name of the guard that fails when a reward's stock cannot cover a redemption. */
    public static final String STOCK_GUARD = "reward-stock";

    /**
     * A redemption: the REDEEM entry and its lots (like a redeem), the redemption row (PENDING),
     * {@code redemption.created}, and LAST the stock, taken with a conditional decrement: the
     * reward's row is locked only from that statement to the COMMIT pipelined right after it,
     * so a hot reward serializes nothing else. Zero rows (not enough left) aborts the
     * transaction ({@link Tx.GuardFailed} {@link #STOCK_GUARD}): nothing is spent.
     */
    public void redemptionCreated(Tx tx, AccountState before, dev.loyalty.core.spend.RedemptionOutcome.Created c,
                                  String fingerprint, Instant now) {
        RedeemOutcome.Redeemed r = c.redeemed();
        debit(tx, before, r.entry(), r.allocations(), r.changedLots(), r.after(), fingerprint, null, now);
        dev.loyalty.core.spend.Redemption d = c.redemption();
        tx.later("INSERT INTO redemptions(member_id, redemption_id, reward_id, quantity, points, status, reference,"
                        + " request_fingerprint, entry_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)",
                x -> null, d.memberId().value(), d.redemptionId(), d.rewardId(), d.quantity(), d.points(), d.status().name(),
                d.reference(), fingerprint, d.transactionId(), now);
        emit(tx, List.of(DomainEvents.redemptionCreated(c, IDS)));
        if (c.stockTaken() > 0) {
            tx.guard(STOCK_GUARD, "WITH u AS (UPDATE rewards SET stock = stock - $2 WHERE reward_id = $1 AND stock >= $2"
                    + " RETURNING 1) SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", d.rewardId(), c.stockTaken());
        }
    }

    /** PENDING to FULFILLED (checked in SQL) and {@code redemption.fulfilled}; no points move. */
    public void redemptionFulfilled(Tx tx, dev.loyalty.core.spend.Redemption fulfilled, String fulfilmentRef,
                                    String fingerprint, Instant now) {
        tx.later("WITH u AS (UPDATE redemptions SET status = 'FULFILLED', fulfilment_ref = $3, finish_fingerprint = $4,"
                        + " updated_at = $5 WHERE member_id = $1 AND redemption_id = $2 AND status = 'PENDING' RETURNING 1)"
                        + " SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", x -> null,
                fulfilled.memberId().value(), fulfilled.redemptionId(), fulfilmentRef, fingerprint, now);
        emit(tx, List.of(DomainEvents.redemptionFulfilled(fulfilled, fulfilmentRef, now, IDS)));
    }

    /**
     * PENDING to CANCELLED (checked in SQL): the REVERSAL of the redemption's REDEEM (exactly the
     * lots it spent), {@code redemption.cancelled}, and LAST the units back to the stock.
     */
    public void redemptionCancelled(Tx tx, AccountState before, dev.loyalty.core.spend.CancelOutcome.Cancelled c,
                                    String fingerprint, Instant now) {
        ReversalOutcome.Reversed r = c.reversal();
        dev.loyalty.core.spend.Redemption d = c.redemption();
        if (r != null) {
            debit(tx, before, r.entry(), r.allocations(), r.changedLots(), r.after(), fingerprint, d.transactionId(), now);
        }
        tx.later("WITH u AS (UPDATE redemptions SET status = 'CANCELLED', cancel_entry_id = $3, finish_fingerprint = $4,"
                        + " updated_at = $5 WHERE member_id = $1 AND redemption_id = $2 AND status = 'PENDING' RETURNING 1)"
                        + " SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", x -> null,
                d.memberId().value(), d.redemptionId(), r == null ? null : r.entry().entryId(), fingerprint, now);
        emit(tx, List.of(DomainEvents.redemptionCancelled(c, IDS)));
        if (c.stockReturned() > 0) {
            tx.later("WITH u AS (UPDATE rewards SET stock = stock + $2 WHERE reward_id = $1 AND stock IS NOT NULL"
                    + " RETURNING 1) SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", x -> null,
                    d.rewardId(), c.stockReturned());
        }
    }

    /** Holds the core found past their time ({@link SpendRules#expiredHolds}), stored as EXPIRED. */
    public void releaseHolds(Tx tx, List<Hold> expired, Instant now) {
        List<DomainEvent> events = new ArrayList<>();
        for (Hold hold : expired) {
            moveHold(tx, hold, null, now);
            events.add(DomainEvents.released(hold, now, IDS));
        }
        emit(tx, events);
    }

    // ---- a batch of earns (the queue path): a fixed number of statements, whatever its size

    /**
     * The earns of a batch in three statements: all entries, all lots, all accounts moved from
     * {@code before} to {@code after} (accounts the batch did not change are left out).
     */
    public void earnedBatch(Tx tx, List<EarnOutcome.Earned> earned, List<String> fingerprints, List<String> requestIds,
                            Map<MemberId, AccountState> before, Map<MemberId, AccountState> after, Instant now) {
        if (earned.isEmpty()) {
            return;
        }
        insertEntries(tx, earned.stream().map(EarnOutcome.Earned::entry).toList(), fingerprints, requestIds, null);
        insertLots(tx, earned.stream().map(EarnOutcome.Earned::lot).toList(),
                earned.stream().map(e -> e.entry().entryId()).toList());
        moveAccounts(tx, before, after, now);
        emit(tx, earned.stream().map(e -> DomainEvents.earned(e, IDS)).toList());
    }

    // ---- member tiers: qualifying days, the tier record and its history, tier.changed

    /**
     * Earns' qualifying days, for one member or a batch, in ONE statement: each (member, day,
     * point type) adds the earns' points (summed here first: one statement may not touch a row
     * twice). Every earn's type is kept, qualifying or not (see V15).
     */
    public void qualifyingEarned(Tx tx, Map<MemberId, List<dev.loyalty.core.tiers.QualifyingDay>> earned) {
        qualifyingRows(tx, earned, "qualifying_days.points + EXCLUDED.points");
    }

    /**
     * The qualifying rebuild's rows ({@code tiers.QualifyingRebuild}), in ONE statement: each
     * (member, day, point type) set to what the member's ledger gives. The caller holds the
     * members' account locks and read their rows after taking them. Values, not signed changes
     * through {@link #qualifyingEarned}: PostgreSQL checks {@code points >= 0} on the row an
     * INSERT ... ON CONFLICT proposes, so a negative change fails even where the row exists.
     */
    public void qualifyingRebuilt(Tx tx, Map<MemberId, List<dev.loyalty.core.tiers.QualifyingDay>> rows) {
        qualifyingRows(tx, rows, "EXCLUDED.points");
    }

    private void qualifyingRows(Tx tx, Map<MemberId, List<dev.loyalty.core.tiers.QualifyingDay>> earned, String onConflict) {
        Map<String, Long> sums = new TreeMap<>();
        earned.forEach((m, days) -> days.forEach(d -> sums.merge(m.value() + "\u0000" + d.day() + "\u0000" + d.pointType(),
                d.points(), Math::addExact)));
        if (sums.isEmpty()) {
            return;
        }
        int n = sums.size();
        String[] member = new String[n];
        java.time.LocalDate[] day = new java.time.LocalDate[n];
        String[] type = new String[n];
        Long[] points = new Long[n];
        int i = 0;
        for (var e : sums.entrySet()) {
            String[] k = e.getKey().split("\u0000");
            member[i] = k[0];
            day[i] = java.time.LocalDate.parse(k[1]);
            type[i] = k[2];
            points[i] = e.getValue();
            i++;
        }
        tx.later("INSERT INTO qualifying_days(member_id, day, point_type, points)"
                + " SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[])"
                + " ON CONFLICT (member_id, day, point_type) DO UPDATE SET points = " + onConflict,
                r -> null, member, day, type, points);
    }

    /**
     * THE take-back of qualifying points: {@code points} of {@code pointType} earned on
     * {@code originalDay} (the taken-back earn's occurredAt day, program time zone) stop counting.
     * Reversals of earns use it, and so do returns (issue 18). Never below zero: a day holds only
     * what was counted (earns recorded before V15 have no row until the qualifying rebuild
     * writes it, net of every take-back so far).
     */
    public void qualifyingTakenBack(Tx tx, MemberId member, java.time.LocalDate originalDay, String pointType, long points) {
        tx.later("UPDATE qualifying_days SET points = GREATEST(0, points - $4)"
                + " WHERE member_id = $1 AND day = $2 AND point_type = $3", r -> null,
                member.value(), originalDay, pointType, points);
    }

    /** One member's tier, as a write or the review decided it. */
    public record TierWrite(MemberId member, dev.loyalty.core.tiers.TierRecord record, long tierSetVersion, Instant reviewAt,
                            List<dev.loyalty.core.tiers.TierChange> changes, long qualifyingPoints) {
    }

    /**
     * The members' tier records (inserted or replaced), their new history items (numbered on
     * from each member's last), and one {@code tier.changed} per change; a fixed number of
     * statements whatever the number of members. The caller holds the members' account locks.
     */
    public void tiersEvaluated(Tx tx, List<TierWrite> writes, Instant now) {
        if (tierRows(tx, writes, now)) {
            List<DomainEvent> events = new ArrayList<>();
            writes.forEach(w -> events.addAll(tierChanged(w, now)));
            emit(tx, events, true);
        }
    }

    /** One {@code tier.changed} per change of {@code w}, in order. */
    private static List<DomainEvent> tierChanged(TierWrite w, Instant now) {
        return w.changes().stream()
                .map(c -> DomainEvents.tierChanged(w.member(), c, w.qualifyingPoints(), w.tierSetVersion(), now, IDS)).toList();
    }

    /**
     * The members' tier records (inserted or replaced; one write per member) and their new
     * history items, without their events; true when there is history (and so events) to write.
     */
    private boolean tierRows(Tx tx, List<TierWrite> writes, Instant now) {
        if (writes.isEmpty()) {
            return false;
        }
        TierColumns c = TierColumns.of(writes, now, false); // its events are tierChanged's
        tx.later("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at,"
                + " below_reason, qualifying_points) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[],"
                + " $4::timestamptz[], $5::timestamptz[], $6::bigint[], $7::timestamptz[], $8::text[], $9::bigint[])"
                + " ON CONFLICT (member_id) DO UPDATE SET"
                + " tier = EXCLUDED.tier, since = EXCLUDED.since, below_since = EXCLUDED.below_since,"
                + " evaluated_at = EXCLUDED.evaluated_at, tier_set_version = EXCLUDED.tier_set_version,"
                + " review_at = EXCLUDED.review_at, below_reason = EXCLUDED.below_reason,"
                + " qualifying_points = EXCLUDED.qualifying_points",
                r -> null, c.member, c.tier, c.since, c.below, c.evaluated, c.version, c.review, c.belowReason, c.points);
        if (c.hMember.length > 0) {
            tx.later("INSERT INTO member_tier_history(member_id, position, from_tier, to_tier, at, reason, recorded_at)"
                    + " SELECT h.member_id, COALESCE((SELECT max(x.position) FROM member_tier_history x"
                    + " WHERE x.member_id = h.member_id), 0) + h.k, h.f, h.t, h.at, h.r, $7"
                    + " FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::timestamptz[],"
                    + " $6::text[]) AS h(member_id, k, f, t, at, r)", r -> null,
                    c.hMember, c.hOrd, c.hFrom, c.hTo, c.hAt, c.hReason, utc(now));
        }
        return c.hMember.length > 0;
    }

    /**
     * The tier-review's chunk in ONE statement: the account rows of the members to write locked
     * {@code FOR UPDATE SKIP LOCKED}, and each member's tier record replaced only if its account
     * is ours and its row is still the version the review read ({@code xmins}: every write that
     * changes a member's qualifying days or tier rewrites that row, so a changed xmin means the
     * decision is stale); for the members written, their new history items numbered on from each
     * member's last and one {@code tier.changed} per change in the outbox, each member's event
     * sequence moved on by its number of changes (left to the relay, a schedule's bulk). Returns
     * the members written; the others were busy or changed meanwhile (the review counts them
     * skipped). The statement fails, and with it the transaction, unless every history item and
     * event of the members written was written.
     */
    public Tx.Deferred<java.util.Set<String>> tiersReviewed(Tx tx, List<TierWrite> writes, List<String> xmins, Instant now) {
        TierColumns c = TierColumns.of(writes, now, true);
        return tx.later("""
                WITH w AS (
                  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
                                       $6::bigint[], $7::timestamptz[], $19::text[], $20::text[], $21::bigint[])
                         AS w(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at, below_reason, xmin,
                              qualifying_points)
                ), l AS MATERIALIZED (
                  SELECT a.member_id FROM accounts a WHERE a.member_id = ANY($1) ORDER BY a.member_id FOR UPDATE SKIP LOCKED
                ), records AS (
                  UPDATE member_tiers t SET tier = w.tier, since = w.since, below_since = w.below_since,
                         evaluated_at = w.evaluated_at, tier_set_version = w.tier_set_version, review_at = w.review_at,
                         below_reason = w.below_reason, qualifying_points = w.qualifying_points
                    FROM w WHERE t.member_id = ANY(ARRAY(SELECT member_id FROM l)) AND t.member_id = w.member_id
                     AND t.xmin::text = w.xmin
                  RETURNING t.member_id
                ), h AS (
                  SELECT h.* FROM unnest($8::text[], $9::int[], $10::text[], $11::text[], $12::timestamptz[], $13::text[],
                                         $14::uuid[], $15::text[]) AS h(member_id, k, f, t, at, r, event_id, data)
                   WHERE h.member_id IN (SELECT member_id FROM records)
                ), history AS (
                  INSERT INTO member_tier_history(member_id, position, from_tier, to_tier, at, reason, recorded_at)
                  SELECT h.member_id, COALESCE((SELECT max(x.position) FROM member_tier_history x
                                                 WHERE x.member_id = h.member_id), 0) + h.k, h.f, h.t, h.at, h.r, $16
                    FROM h
                  RETURNING 1
                ), counted AS (
                  SELECT member_id, count(*) AS c FROM h WHERE $17 GROUP BY member_id
                ), bumped AS (
                  UPDATE accounts a SET event_sequence = a.event_sequence + c.c
                    FROM counted c WHERE a.member_id = c.member_id
                  RETURNING a.member_id, a.event_sequence, c.c
                ), written AS (
                  INSERT INTO outbox(member_id, sequence, event_id, type, occurred_at, recorded_at, data)
                  SELECT h.member_id, b.event_sequence - b.c + h.k, h.event_id, $18, h.at, $16, h.data::jsonb
                    FROM h JOIN bumped b ON b.member_id = h.member_id
                  RETURNING 1
                )
                -- every history item and event of the members written, or the transaction aborts
                SELECT (SELECT array_agg(member_id) FROM records) AS members,
                       1 / (CASE WHEN (SELECT count(*) FROM history) = (SELECT count(*) FROM h)
                                  AND (SELECT count(*) FROM written) = CASE WHEN $17 THEN (SELECT count(*) FROM h) ELSE 0 END
                                 THEN 1 ELSE 0 END) AS ok""",
                rows -> {
                    String[] done = rows.iterator().next().getArrayOfStrings("members");
                    return done == null ? java.util.Set.<String>of() : java.util.Set.of(done);
                }, c.member, c.tier, c.since, c.below, c.evaluated, c.version, c.review,
                c.hMember, c.hOrd, c.hFrom, c.hTo, c.hAt, c.hReason, c.hEvent, c.hData, utc(now), !withoutOutbox,
                EventType.TIER_CHANGED.wireName(), c.belowReason, xmins.toArray(new String[0]), c.points);
    }

    /**
     * The columns of tier writes as statement arrays: one row per member (its record), one per
     * history item (numbered from 1 per member, in change order), with its {@code tier.changed}
     * event's id and data when {@code withEvents} (else those two arrays stay empty).
     */
    private record TierColumns(String[] member, String[] tier, OffsetDateTime[] since, OffsetDateTime[] below,
                               OffsetDateTime[] evaluated, Long[] version, OffsetDateTime[] review, String[] belowReason,
                               Long[] points, String[] hMember, Integer[] hOrd, String[] hFrom, String[] hTo, OffsetDateTime[] hAt,
                               String[] hReason, UUID[] hEvent, String[] hData) {
        static TierColumns of(List<TierWrite> writes, Instant now, boolean withEvents) {
            int n = writes.size();
            String[] member = new String[n];
            String[] tier = new String[n];
            OffsetDateTime[] since = new OffsetDateTime[n];
            OffsetDateTime[] below = new OffsetDateTime[n];
            OffsetDateTime[] evaluated = new OffsetDateTime[n];
            Long[] version = new Long[n];
            OffsetDateTime[] review = new OffsetDateTime[n];
            String[] belowReason = new String[n];
            Long[] points = new Long[n];
            List<String> hMember = new ArrayList<>();
            List<Integer> hOrd = new ArrayList<>();
            List<String> hFrom = new ArrayList<>();
            List<String> hTo = new ArrayList<>();
            List<OffsetDateTime> hAt = new ArrayList<>();
            List<String> hReason = new ArrayList<>();
            List<UUID> hEvent = new ArrayList<>();
            List<String> hData = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TierWrite w = writes.get(i);
                member[i] = w.member().value();
                tier[i] = w.record().tier();
                since[i] = utc(w.record().since());
                below[i] = utc(w.record().belowSince());
                evaluated[i] = utc(w.record().evaluatedAt());
                version[i] = w.tierSetVersion();
                review[i] = utc(w.reviewAt());
                belowReason[i] = w.record().belowReason() == null ? null : w.record().belowReason().name();
                points[i] = w.qualifyingPoints();
                int k = 0;
                for (dev.loyalty.core.tiers.TierChange c : w.changes()) {
                    hMember.add(w.member().value());
                    hOrd.add(++k);
                    hFrom.add(c.from());
                    hTo.add(c.to());
                    hAt.add(utc(c.at()));
                    hReason.add(c.reason().name());
                    if (withEvents) {
                        DomainEvent e = DomainEvents.tierChanged(w.member(), c, w.qualifyingPoints(), w.tierSetVersion(), now, IDS);
                        hEvent.add(e.eventId());
                        hData.add(Json.encode(e.data()));
                    }
                }
            }
            return new TierColumns(member, tier, since, below, evaluated, version, review, belowReason, points,
                    hMember.toArray(new String[0]), hOrd.toArray(new Integer[0]), hFrom.toArray(new String[0]),
                    hTo.toArray(new String[0]), hAt.toArray(new OffsetDateTime[0]), hReason.toArray(new String[0]),
                    hEvent.toArray(new UUID[0]), hData.toArray(new String[0]));
        }
    }

    // ---- the expiry sweep: the core's rule as one set-based statement per chunk

    /** What one chunk of the sweep did. */
    public record Expired(long members, long lots, Map<String, Long> byType) {
    }

    /**
     * {@link SpendRules#expire} for every given (locked) member at once: each member's lots with
     * points left whose expiry has passed at {@code now} are zeroed in ONE EXPIRE entry with the
     * core's reference and description, one allocation per lot in the core's spending order
     * ({@link SpendingOrder#SQL_ORDER}). A test runs the core's rule and this statement on the
     * same data and requires identical entries.
     */
    public Expired expire(Tx tx, List<String> lockedMembers, Instant now) {
        Actor actor = Actor.current();
        var row = tx.query("""
                WITH exp AS (
                  SELECT l.member_id, l.lot_id, l.remaining_points AS pts, l.point_type,
                         (row_number() OVER (PARTITION BY l.member_id ORDER BY %s) - 1)::int AS position
                  FROM lots l
                  WHERE l.member_id = ANY($1) AND l.remaining_points > 0 AND l.expires_at <= $2
                ), totals AS (
                  SELECT member_id, SUM(pts) AS total FROM exp GROUP BY member_id
                ), entries AS (
                  INSERT INTO ledger_entries(member_id, entry_id, sequence, kind, points, balance_after, point_type,
                                             reference, description, occurred_at, recorded_at,
                                             actor_sub, actor_source, request_id)
                  SELECT a.member_id, gen_random_uuid(), a.version + 1, $5, -t.total, a.balance - t.total, NULL,
                         $3, $4, $2, $2, $7, $8, $9
                  FROM accounts a JOIN totals t ON t.member_id = a.member_id
                  RETURNING member_id, entry_id, balance_after, sequence, points, reference
                ), allocations AS (
                  INSERT INTO entry_allocations(member_id, entry_id, position, lot_id, points)
                  SELECT x.member_id, e.entry_id, x.position, x.lot_id, x.pts FROM exp x JOIN entries e ON e.member_id = x.member_id
                  RETURNING 1
                ), zeroed AS (
                  UPDATE lots l SET remaining_points = 0 FROM exp x
                  WHERE l.member_id = x.member_id AND l.lot_id = x.lot_id
                  RETURNING 1
                ), moved AS (
                  UPDATE accounts a SET balance = e.balance_after, version = e.sequence, updated_at = $2,
                         event_sequence = a.event_sequence + 1
                  FROM entries e WHERE a.member_id = e.member_id
                  RETURNING a.member_id, a.event_sequence
                ), events AS (
                  -- points.expired, with DomainEvents.expiredData's fields (a test holds them equal)
                  INSERT INTO outbox(member_id, sequence, event_id, type, occurred_at, recorded_at, data)
                  SELECT e.member_id, m.event_sequence, gen_random_uuid(), $6, $2, $2,
                         jsonb_build_object('transactionId', e.entry_id, 'kind', $5::text, 'points', e.points,
                                            'balance', e.balance_after, 'reference', e.reference)
                  FROM entries e JOIN moved m ON m.member_id = e.member_id
                  RETURNING 1
                )
                SELECT (SELECT count(*) FROM moved) AS members, (SELECT count(*) FROM zeroed) AS lots,
                       (SELECT count(*) FROM events) AS events,
                       (SELECT json_object_agg(point_type, total) FROM
                          (SELECT point_type, SUM(pts) AS total FROM exp GROUP BY point_type) t)::text AS by_type
                """.formatted(SpendingOrder.SQL_ORDER.replace("expires_at", "l.expires_at")
                        .replace("earned_at", "l.earned_at").replace("lot_id", "l.lot_id")),
                lockedMembers.toArray(new String[0]), now, SpendRules.expireReference(now), SpendRules.EXPIRE_DESCRIPTION,
                EntryKind.EXPIRE.name(), EventType.POINTS_EXPIRED.wireName(),
                actor == null ? "expire-sweep" : actor.sub(), actor == null ? Actor.SCHEDULE : actor.source(),
                actor == null ? null : actor.requestId()).iterator().next();
        Map<String, Long> byType = new TreeMap<>();
        String json = row.getString("by_type");
        if (json != null) {
            new JsonObject(json).forEach(e -> byType.put(e.getKey(), ((Number) e.getValue()).longValue()));
        }
        return new Expired(row.getLong("members"), row.getLong("lots"), byType);
    }

    /**
     * {@link SpendRules#expiredHolds} for up to {@code chunkMembers} members at once, skipping
     * members another transaction holds: their holds past their time become EXPIRED.
     */
    public long releaseExpiredHolds(Tx tx, Instant now, int chunkMembers) {
        return tx.query("""
                WITH m AS (
                  SELECT a.member_id FROM accounts a
                  WHERE a.member_id IN (SELECT DISTINCT member_id FROM holds WHERE status = $3 AND expires_at <= $1
                                        ORDER BY member_id LIMIT $2)
                  ORDER BY a.member_id FOR UPDATE SKIP LOCKED
                ), released AS (
                  UPDATE holds h SET status = $4, updated_at = $1 FROM m
                  WHERE h.member_id = m.member_id AND h.status = $3 AND h.expires_at <= $1
                  RETURNING h.member_id, h.hold_id, h.points, h.reference
                ), numbered AS (
                  SELECT r.*, row_number() OVER (PARTITION BY r.member_id ORDER BY r.hold_id) AS k,
                         count(*) OVER (PARTITION BY r.member_id) AS c
                  FROM released r
                ), bumped AS (
                  UPDATE accounts a SET event_sequence = a.event_sequence + c.c
                    FROM (SELECT member_id, max(c) AS c FROM numbered GROUP BY member_id) c
                   WHERE a.member_id = c.member_id
                  RETURNING a.member_id, a.event_sequence
                )
                -- hold.released, with DomainEvents.releasedData's fields
                INSERT INTO outbox(member_id, sequence, event_id, type, occurred_at, recorded_at, data)
                SELECT n.member_id, b.event_sequence - n.c + n.k, gen_random_uuid(), $5, $1, $1,
                       jsonb_build_object('holdId', n.hold_id, 'points', n.points, 'status', $4::text,
                                          'reference', n.reference, 'reason', 'EXPIRED')
                FROM numbered n JOIN bumped b ON b.member_id = n.member_id
                """, now, chunkMembers, HoldStatus.HELD.name(), HoldStatus.EXPIRED.name(),
                EventType.HOLD_RELEASED.wireName()).rowCount();
    }

    // ---- the outbox

    /**
     * Writes {@code events} to the outbox in ONE statement, numbering each member's events on
     * from its {@code accounts.event_sequence} (bumped in the same statement, under the row
     * lock the caller holds), in list order; the transaction hands them to the
     * {@link OutboxListener}s once it commits.
     */
    public void emit(Tx tx, List<DomainEvent> events) {
        emit(tx, events, true);
    }

    /**
     * {@code afterCommit} false: the events are left to the relay (a schedule's bulk of events,
     * as the sweep's), not published by this invocation once it commits.
     */
    private void emit(Tx tx, List<DomainEvent> events, boolean afterCommit) {
        java.util.function.Function<io.vertx.mutiny.sqlclient.RowSet<io.vertx.mutiny.sqlclient.Row>, Void> handler =
                afterCommit ? written(tx) : rows -> null;
        if (events.isEmpty() || withoutOutbox) {
            return;
        }
        int n = events.size();
        String[] member = new String[n];
        UUID[] id = new UUID[n];
        String[] type = new String[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        OffsetDateTime[] recorded = new OffsetDateTime[n];
        String[] data = new String[n];
        for (int i = 0; i < n; i++) {
            DomainEvent e = events.get(i);
            member[i] = e.memberId().value();
            id[i] = e.eventId();
            type[i] = e.type().wireName();
            occurred[i] = utc(e.occurredAt());
            recorded[i] = utc(e.recordedAt());
            data[i] = Json.encode(e.data());
        }
        List<String> distinct = Arrays.stream(member).distinct().toList();
        if (distinct.size() <= 2) {
            // One member (every write) or two (a transfer): one single-shard statement per member,
            // pipelined with the rest of the write; only a queue batch uses the set-based form.
            for (String m : distinct) {
                List<DomainEvent> mine = events.stream().filter(e -> e.memberId().value().equals(m)).toList();
                emitForOneMember(tx, m, mine, handler);
            }
            return;
        }
        tx.later("""
                WITH ev AS (
                  SELECT e.*, row_number() OVER (PARTITION BY e.member_id ORDER BY e.ord) AS k,
                         count(*) OVER (PARTITION BY e.member_id) AS c
                    FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])
                         WITH ORDINALITY AS e(member_id, event_id, type, occurred_at, recorded_at, data, ord)
                ), bumped AS (
                  UPDATE accounts a SET event_sequence = a.event_sequence + c.c
                    FROM (SELECT member_id, max(c) AS c FROM ev GROUP BY member_id) c
                   WHERE a.member_id = c.member_id
                  RETURNING a.member_id, a.event_sequence
                )
                , written AS (
                  INSERT INTO outbox(member_id, sequence, event_id, type, occurred_at, recorded_at, data)
                  SELECT ev.member_id, b.event_sequence - ev.c + ev.k, ev.event_id, ev.type, ev.occurred_at, ev.recorded_at,
                         ev.data::jsonb
                    FROM ev JOIN bumped b ON b.member_id = ev.member_id
                  RETURNING member_id, sequence, event_id, type, occurred_at, recorded_at, data::text AS data
                )
                -- every event written, or the transaction aborts (its COMMIT becomes a rollback)
                -- behind unknown (NULL): a batch's events go the locked, ordered way
                SELECT w.*, NULL::bigint AS behind FROM written w, (SELECT 1 / (CASE WHEN count(*) = $7 THEN 1 ELSE 0 END) AS ok FROM written) g
                """, handler, member, id, type, occurred, recorded, data, n);
    }

    private void emitForOneMember(Tx tx, String memberId, List<DomainEvent> events,
                                  java.util.function.Function<io.vertx.mutiny.sqlclient.RowSet<io.vertx.mutiny.sqlclient.Row>, Void> handler) {
        int n = events.size();
        UUID[] id = events.stream().map(DomainEvent::eventId).toArray(UUID[]::new);
        String[] type = events.stream().map(e -> e.type().wireName()).toArray(String[]::new);
        OffsetDateTime[] occurred = events.stream().map(e -> utc(e.occurredAt())).toArray(OffsetDateTime[]::new);
        OffsetDateTime[] recorded = events.stream().map(e -> utc(e.recordedAt())).toArray(OffsetDateTime[]::new);
        String[] data = events.stream().map(e -> Json.encode(e.data())).toArray(String[]::new);
        tx.later("""
                    WITH bumped AS (
                      UPDATE accounts SET event_sequence = event_sequence + $7 WHERE member_id = $1
                      RETURNING event_sequence
                    ), written AS (
                      INSERT INTO outbox(member_id, sequence, event_id, type, occurred_at, recorded_at, data)
                      SELECT $1, b.event_sequence - $7 + e.ord, e.event_id, e.type, e.occurred_at, e.recorded_at,
                             e.data::jsonb
                        FROM bumped b, unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])
                             WITH ORDINALITY AS e(event_id, type, occurred_at, recorded_at, data, ord)
                      RETURNING member_id, sequence, event_id, type, occurred_at, recorded_at, data::text AS data
                    )
                    -- every event written, or the transaction aborts (its COMMIT becomes a rollback);
                    -- behind: the member's earlier events not yet published (the statement's snapshot
                    -- does not see its own inserts), so the publisher knows whether these may go at once
                    SELECT w.*, (SELECT count(*) FROM outbox p
                                  WHERE p.member_id = $1 AND p.published_at IS NULL) AS behind
                      FROM written w, (SELECT 1 / (CASE WHEN count(*) = $7 THEN 1 ELSE 0 END) AS ok FROM written) g
                    """, handler, memberId, id, type, occurred, recorded, data, n);
    }

    /**
     * Writes a program-wide event (a published rule or tier set version) to the outbox in the
     * caller's Hibernate Reactive transaction, the one that persists the new version: keyed by
     * {@link MemberId#PROGRAM} and numbered from {@code outbox_streams} (bumped in the same
     * statement, whose row lock orders the program's publications in commit order). The event
     * builders are the core's ({@code DomainEvents.rulesPublished/tiersPublished}); this is the
     * only place that SQL is written. Every value is bound as text and cast, so the reactive
     * client never guesses a JSON or UUID encoding.
     */
    public io.smallrye.mutiny.Uni<OutboxEvent> emitProgram(org.hibernate.reactive.mutiny.Mutiny.Session session,
                                                          DomainEvent event) {
        if (!MemberId.PROGRAM.equals(event.memberId())) {
            throw new IllegalArgumentException("not a program event: " + event.type() + " of " + event.memberId());
        }
        String data = Json.encode(event.data());
        return session.createNativeQuery("""
                        WITH bumped AS (
                          UPDATE outbox_streams SET event_sequence = event_sequence + 1
                           WHERE member_id = CAST(?1 AS text) RETURNING event_sequence
                        )
                        INSERT INTO outbox(member_id, sequence, event_id, type, occurred_at, recorded_at, data)
                        SELECT CAST(?1 AS text), b.event_sequence, CAST(CAST(?2 AS text) AS uuid), CAST(?3 AS text),
                               CAST(CAST(?4 AS text) AS timestamptz), CAST(CAST(?5 AS text) AS timestamptz),
                               CAST(CAST(?6 AS text) AS jsonb)
                          FROM bumped b
                        RETURNING sequence""", Long.class)
                .setParameter(1, event.memberId().value())
                .setParameter(2, event.eventId().toString())
                .setParameter(3, event.type().wireName())
                .setParameter(4, event.occurredAt().toString())
                .setParameter(5, event.recordedAt().toString())
                .setParameter(6, data)
                .getSingleResult()
                .map(sequence -> new OutboxEvent(event.memberId().value(), ((Number) sequence).longValue(), event.eventId(),
                        event.type().wireName(), event.occurredAt(), event.recordedAt(), data));
    }

    /** Collects what an outbox statement wrote, for the listeners once the transaction commits. */
    private static java.util.function.Function<io.vertx.mutiny.sqlclient.RowSet<io.vertx.mutiny.sqlclient.Row>, Void> written(Tx tx) {
        return rows -> {
            List<OutboxEvent> written = new ArrayList<>();
            java.util.Set<String> behind = new java.util.HashSet<>();
            rows.forEach(r -> {
                String member = r.getString("member_id");
                written.add(new OutboxEvent(member, r.getLong("sequence"),
                        r.getUUID("event_id"), r.getString("type"), Tx.instant(r, "occurred_at"),
                        Tx.instant(r, "recorded_at"), r.getString("data")));
                // The count sees this transaction's own earlier events of the member (an earn's
                // points.earned before its tier.changed): those are not "earlier unpublished".
                Long earlier = r.getLong("behind");
                if (earlier == null || earlier > tx.emittedCount(member)) {
                    behind.add(member);
                }
            });
            written.sort(Comparator.comparing(OutboxEvent::memberId).thenComparingLong(OutboxEvent::sequence));
            tx.emitted(written, behind);
            return null;
        };
    }

    // ---- the statements

    /**
     * The lots a spend (or a return) changed, their new remaining points, in one statement;
     * guarded: each lot exactly once, and never below zero (the CHECK), or the transaction aborts.
     */
    private static void lotsRemaining(Tx tx, MemberId member, List<Lot> changedLots) {
        if (changedLots.isEmpty()) {
            return;
        }
        tx.later("""
                WITH u AS (
                  UPDATE lots l SET remaining_points = v.remaining
                    FROM unnest($2::uuid[], $3::bigint[]) AS v(lot_id, remaining)
                   WHERE l.member_id = $1 AND l.lot_id = v.lot_id
                  RETURNING 1
                )
                SELECT 1 / (CASE WHEN count(*) = $4 THEN 1 ELSE 0 END) FROM u""", r -> null,
                member.value(), changedLots.stream().map(Lot::lotId).toArray(UUID[]::new),
                changedLots.stream().map(Lot::remainingPoints).toArray(Long[]::new), changedLots.size());
    }

    private void debit(Tx tx, AccountState before, LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots,
                       AccountState after, String fingerprint, UUID reverses, Instant now) {
        insertEntry(tx, entry, fingerprint, reverses);
        lotsRemaining(tx, entry.memberId(), changedLots);
        if (!allocations.isEmpty()) {
            tx.later("INSERT INTO entry_allocations(member_id, entry_id, position, lot_id, points)"
                            + " SELECT $1, $2, a.ord - 1, a.lot_id, a.points"
                            + " FROM unnest($3::uuid[], $4::bigint[]) WITH ORDINALITY AS a(lot_id, points, ord)", r -> null,
                    entry.memberId().value(), entry.entryId(), allocations.stream().map(Allocation::lotId).toArray(UUID[]::new),
                    allocations.stream().map(Allocation::points).toArray(Long[]::new));
        }
        moveAccount(tx, before, after, now);
    }

    // ---- business events (program rules)

    /**
     * One business event's effect as the rules decided it: its awards (applied to the member's
     * running state), the cap usage it charges, its rule set version, its request's fingerprint
     * and request id (a queue record's message id), the answer a retry gets, and its tier
     * decision ({@code tier}: the record after it and the changes it made) with the qualifying
     * days its awards add.
     */
    public record EventWrite(dev.loyalty.core.rules.BusinessEvent event, Instant occurredAt,
                             dev.loyalty.core.rules.EventRule.Outcome.Applied applied,
                             dev.loyalty.core.rules.Evaluation evaluation, long rulesVersion, String fingerprint,
                             String answerJson, String requestId, List<dev.loyalty.core.tiers.QualifyingDay> qualifying,
                             TierWrite tier) {
    }

    /**
     * Business events' effects, for one event (the API) or a queue batch, in a fixed number of
     * statements whatever their number: one EARN entry and lot per award (each with its rule id,
     * rule set version and variant), the accounts moved from {@code before} to {@code after}
     * (accounts the events did not change are left out), the cap usage added (summed per row
     * first), the events recorded with their answers, the qualifying days added, each member's
     * tier record (the last event's) with its history, and, in event order, each event's
     * {@code points.earned} (one per award) followed by its own {@code tier.changed}: exactly what
     * the events written one after the other would leave. Several events of one member must come
     * in the order the rules applied them (their entries chain).
     */
    public void eventsRecorded(Tx tx, List<EventWrite> writes, Map<MemberId, AccountState> before,
                               Map<MemberId, AccountState> after, Instant now) {
        if (writes.isEmpty()) {
            return;
        }
        List<LedgerEntry> entries = new ArrayList<>();
        List<Lot> lots = new ArrayList<>();
        List<UUID> lotSources = new ArrayList<>();
        List<String> fingerprints = new ArrayList<>();
        List<String> requestIds = new ArrayList<>();
        List<RuleOfEntry> rules = new ArrayList<>();
        List<DomainEvent> events = new ArrayList<>();
        Map<String, long[]> usage = new TreeMap<>();
        Map<MemberId, List<dev.loyalty.core.tiers.QualifyingDay>> qualifying = new TreeMap<>(Comparator.comparing(MemberId::value));
        Map<MemberId, TierWrite> tiers = new TreeMap<>(Comparator.comparing(MemberId::value));
        for (EventWrite w : writes) {
            MemberId member = new MemberId(w.event().memberId());
            for (dev.loyalty.core.rules.EventRule.Credited c : w.applied().credits()) {
                entries.add(c.entry());
                fingerprints.add(w.fingerprint());
                requestIds.add(w.requestId());
                rules.add(new RuleOfEntry(c.award().ruleId(), w.rulesVersion(), c.award().variant()));
                lots.add(c.lot());
                lotSources.add(c.entry().entryId());
                events.add(DomainEvents.awarded(c, w.event().event(), w.rulesVersion(), IDS));
            }
            for (dev.loyalty.core.rules.CapCharge c : w.evaluation().charges()) {
                long[] sum = usage.computeIfAbsent(member.value() + "\u0000" + c.ruleId() + "\u0000" + c.period().name()
                        + "\u0000" + c.periodStart(), k -> new long[2]);
                sum[0] = Math.addExact(sum[0], c.points());
                sum[1] = Math.addExact(sum[1], c.events());
            }
            qualifying.computeIfAbsent(member, m -> new ArrayList<>()).addAll(w.qualifying());
            // One tier row per member: the last event's record, every event's changes in order.
            TierWrite t = w.tier();
            TierWrite prior = tiers.get(member);
            List<dev.loyalty.core.tiers.TierChange> changes = new ArrayList<>(prior == null ? List.of() : prior.changes());
            changes.addAll(t.changes());
            tiers.put(member, new TierWrite(member, t.record(), t.tierSetVersion(), t.reviewAt(), changes, t.qualifyingPoints()));
            events.addAll(tierChanged(t, now));
        }
        if (!entries.isEmpty()) {
            insertEntries(tx, entries, fingerprints, requestIds, rules);
            insertLots(tx, lots, lotSources);
            moveAccounts(tx, before, after, now);
        }
        capUsageAdded(tx, usage);
        insertBusinessEvents(tx, writes, now);
        qualifyingEarned(tx, qualifying);
        tierRows(tx, List.copyOf(tiers.values()), now);
        emit(tx, events);
    }

    /** The rule columns of an award's EARN entry. */
    private record RuleOfEntry(String ruleId, long rulesVersion, String variant) {
    }

    /** Cap usage added in ONE statement, from sums by "member NUL rule NUL period NUL periodStart" of {points, events}. */
    private static void capUsageAdded(Tx tx, Map<String, long[]> usage) {
        if (usage.isEmpty()) {
            return;
        }
        int n = usage.size();
        String[] member = new String[n];
        String[] rule = new String[n];
        String[] period = new String[n];
        java.time.LocalDate[] start = new java.time.LocalDate[n];
        Long[] points = new Long[n];
        Long[] events = new Long[n];
        int i = 0;
        for (var e : usage.entrySet()) {
            String[] k = e.getKey().split("\u0000");
            member[i] = k[0];
            rule[i] = k[1];
            period[i] = k[2];
            start[i] = java.time.LocalDate.parse(k[3]);
            points[i] = e.getValue()[0];
            events[i] = e.getValue()[1];
            i++;
        }
        tx.later("INSERT INTO cap_usage(member_id, rule_id, period, period_start, points, events)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::bigint[])"
                        + " ON CONFLICT (member_id, rule_id, period, period_start) DO UPDATE"
                        + " SET points = cap_usage.points + EXCLUDED.points, events = cap_usage.events + EXCLUDED.events",
                r -> null, member, rule, period, start, points, events);
    }

    /** The events' rows (their reference taken, the answer a retry gets) in ONE statement. */
    private static void insertBusinessEvents(Tx tx, List<EventWrite> writes, Instant now) {
        Actor actor = Actor.current();
        tx.later("INSERT INTO business_events(member_id, reference, event, occurred_at, recorded_at, rules_version, points,"
                        + " variants, request_fingerprint, answer, actor_sub, actor_source, request_id, amount)"
                        + " SELECT b.m, b.ref, b.ev, b.occ, $11, b.rv, b.pts, b.var::jsonb, b.fp, b.ans::jsonb, $12, $13, b.rid, b.amt"
                        + " FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[],"
                        + " $7::text[], $8::text[], $9::text[], $10::text[], $14::bigint[])"
                        + " AS b(m, ref, ev, occ, rv, pts, var, fp, ans, rid, amt)", r -> null,
                writes.stream().map(w -> w.event().memberId()).toArray(String[]::new),
                writes.stream().map(w -> w.event().reference()).toArray(String[]::new),
                writes.stream().map(w -> w.event().event()).toArray(String[]::new),
                writes.stream().map(w -> utc(w.occurredAt())).toArray(OffsetDateTime[]::new),
                writes.stream().map(EventWrite::rulesVersion).toArray(Long[]::new),
                writes.stream().map(w -> w.evaluation().points()).toArray(Long[]::new),
                writes.stream().map(w -> Json.encode(w.evaluation().variants())).toArray(String[]::new),
                writes.stream().map(EventWrite::fingerprint).toArray(String[]::new),
                writes.stream().map(EventWrite::answerJson).toArray(String[]::new),
                writes.stream().map(EventWrite::requestId).toArray(String[]::new),
                now, actor == null ? null : actor.sub(), actor == null ? null : actor.source(),
                writes.stream().map(w -> w.event().amount()).toArray(Long[]::new));
    }

    // ---- returns

    /**
     * A return: per award that gave anything back, its RETURN entry (the award's rule id and
     * point type, {@code reverses_entry_id} the award's EARN entry: the award index makes it
     * exactly-once, and a later reversal of the award sees what returns took) with its
     * allocations (own lot first) and the lots after; the account moved once; the return
     * (its running total of the purchase: {@code returns_progress_uq} refuses two returns from
     * the same total) and per award what it owed, took and missed; the return as a business
     * event (its reference taken, the answer a retry gets); ONE {@code points.returned}.
     */
    public void returned(Tx tx, AccountState before, dev.loyalty.core.returns.ReturnCommand command,
                         dev.loyalty.core.returns.ReturnOutcome.Returned r, long rulesVersion, String fingerprint,
                         String answerJson, Instant now) {
        Actor actor = Actor.current();
        for (dev.loyalty.core.returns.AwardReturn a : r.awards()) {
            LedgerEntry e = a.entry();
            if (e == null) {
                continue;
            }
            tx.later("INSERT INTO ledger_entries(" + ENTRY_COLUMNS + ", rule_id, rules_version, variant)"
                            + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,NULL,NULL)",
                    x -> null, e.memberId().value(), e.entryId(), e.sequence(), e.kind().name(), e.points(), e.balanceAfter(),
                    e.pointType(), e.reference(), e.description(), e.occurredAt(), e.recordedAt(), fingerprint,
                    a.award().entryId(), actor == null ? null : actor.sub(), actor == null ? null : actor.source(),
                    actor == null ? null : actor.requestId(), a.award().ruleId());
            tx.later("INSERT INTO entry_allocations(member_id, entry_id, position, lot_id, points)"
                            + " SELECT $1, $2, x.ord - 1, x.lot_id, x.points"
                            + " FROM unnest($3::uuid[], $4::bigint[]) WITH ORDINALITY AS x(lot_id, points, ord)", x -> null,
                    e.memberId().value(), e.entryId(), a.allocations().stream().map(Allocation::lotId).toArray(UUID[]::new),
                    a.allocations().stream().map(Allocation::points).toArray(Long[]::new));
        }
        lotsRemaining(tx, before.memberId(), r.changedLots());
        if (r.after().version() != before.version()) {
            moveAccount(tx, before, r.after(), now);
        }
        tx.later("INSERT INTO returns(member_id, reference, original_reference, amount, returned_so_far, points, shortfall,"
                        + " occurred_at, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", x -> null,
                before.memberId().value(), command.reference(), command.originalReference(), r.amount(), r.returnedSoFar(),
                r.points(), r.shortfall(), r.occurredAt(), now);
        List<dev.loyalty.core.returns.AwardReturn> awards = r.awards();
        if (!awards.isEmpty()) {
            tx.later("INSERT INTO return_awards(member_id, reference, award_entry_id, rule_id, point_type, award_occurred_at,"
                            + " due, from_own_lot, from_other_lots, shortfall, entry_id)"
                            + " SELECT $1, $2, a.* FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[],"
                            + " $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::uuid[])"
                            + " AS a(award_entry_id, rule_id, point_type, award_occurred_at, due, own, others, shortfall, entry_id)",
                    x -> null, before.memberId().value(), command.reference(),
                    awards.stream().map(a -> a.award().entryId()).toArray(UUID[]::new),
                    awards.stream().map(a -> a.award().ruleId()).toArray(String[]::new),
                    awards.stream().map(a -> a.award().pointType()).toArray(String[]::new),
                    awards.stream().map(a -> utc(a.award().occurredAt())).toArray(OffsetDateTime[]::new),
                    awards.stream().map(dev.loyalty.core.returns.AwardReturn::due).toArray(Long[]::new),
                    awards.stream().map(dev.loyalty.core.returns.AwardReturn::fromOwnLot).toArray(Long[]::new),
                    awards.stream().map(dev.loyalty.core.returns.AwardReturn::fromOtherLots).toArray(Long[]::new),
                    awards.stream().map(dev.loyalty.core.returns.AwardReturn::shortfall).toArray(Long[]::new),
                    awards.stream().map(a -> a.entry() == null ? null : a.entry().entryId()).toArray(UUID[]::new));
        }
        // Qualifying points drop by what this return took back of each award (not its shortfall):
        // EventService.applyReturn hands them to MemberTiers.takenBack in this transaction.
        tx.later("INSERT INTO business_events(member_id, reference, event, occurred_at, recorded_at, rules_version, points,"
                        + " variants, request_fingerprint, answer, actor_sub, actor_source, request_id, amount)"
                        + " VALUES ($1,$2,$3,$4,$5,$6,0,'{}'::jsonb,$7,$8::text::jsonb,$9,$10,$11,$12)", x -> null,
                before.memberId().value(), command.reference(), dev.loyalty.core.rules.RulesEngine.RETURN_EVENT,
                r.occurredAt(), now, rulesVersion, fingerprint, answerJson,
                actor == null ? null : actor.sub(), actor == null ? null : actor.source(),
                actor == null ? null : actor.requestId(), r.amount());
        emit(tx, List.of(DomainEvents.returned(command, r, now, IDS)));
    }

    /** Every entry carries the {@link Actor} of the request that wrote it (the audit trail). */
    private void insertEntry(Tx tx, LedgerEntry e, String fingerprint, UUID reverses) {
        Actor actor = Actor.current();
        tx.later("INSERT INTO ledger_entries(" + ENTRY_COLUMNS + ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
                r -> null, e.memberId().value(), e.entryId(), e.sequence(), e.kind().name(), e.points(), e.balanceAfter(),
                e.pointType(), e.reference(), e.description(), e.occurredAt(), e.recordedAt(), fingerprint, reverses,
                actor == null ? null : actor.sub(), actor == null ? null : actor.source(),
                actor == null ? null : actor.requestId());
    }

    private void insertLot(Tx tx, Lot lot, UUID sourceEntryId) {
        tx.later("INSERT INTO lots(" + LOT_COLUMNS + ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", r -> null,
                lot.memberId().value(), lot.lotId(), lot.pointType(), lot.originalPoints(), lot.remainingPoints(),
                lot.earnedAt(), lot.expiresAt(), sourceEntryId, lot.pendingUntil());
    }

    private void moveAccount(Tx tx, AccountState before, AccountState after, Instant now) {
        // The version check is belt and braces: the row is locked, so a mismatch means a bug,
        // and the division by zero aborts the transaction before its COMMIT can count.
        tx.later("WITH u AS (UPDATE accounts SET balance = $2, version = $3, updated_at = $4"
                        + " WHERE member_id = $1 AND version = $5 RETURNING 1)"
                        + " SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", r -> null,
                after.memberId().value(), after.balance(), after.version(), now, before.version());
    }

    /** Moves a hold out of HELD; only a HELD hold moves (the row lock on the account serialises this). */
    private void moveHold(Tx tx, Hold h, UUID capturedEntryId, Instant now) {
        tx.later("WITH u AS (UPDATE holds SET status = $3, captured_entry_id = $4, updated_at = $5"
                        + " WHERE member_id = $1 AND hold_id = $2 AND status = $6 RETURNING 1)"
                        + " SELECT 1 / (CASE WHEN count(*) = 1 THEN 1 ELSE 0 END) FROM u", r -> null,
                h.memberId().value(), h.holdId(), h.status().name(), capturedEntryId, now, HoldStatus.HELD.name());
    }

    /**
     * Many entries in one statement; each record of a batch has its own request id (its SQS
     * message); {@code rules} (null for direct earns) the rule columns of awards.
     */
    private void insertEntries(Tx tx, List<LedgerEntry> entries, List<String> fingerprints, List<String> requestIds,
                               List<RuleOfEntry> rules) {
        Actor actor = Actor.current();
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
        List<RuleOfEntry> r = rules == null ? List.of() : rules; // unnest pads the shorter arrays with NULL
        tx.later("INSERT INTO ledger_entries(" + ENTRY_COLUMNS + ", rule_id, rules_version, variant)"
                        + " SELECT e.m, e.id, e.seq, e.kind, e.pts, e.bal, e.pt,"
                        + " e.ref, e.des, e.occ, e.rec, e.fp, NULL::uuid, $13, $14, e.rid, e.rule, e.rv, e.var"
                        + " FROM unnest($1::text[], $2::uuid[],"
                        + " $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[],"
                        + " $10::timestamptz[], $11::timestamptz[], $12::text[], $15::text[], $16::text[], $17::bigint[], $18::text[])"
                        + " AS e(m, id, seq, kind, pts, bal, pt, ref, des, occ, rec, fp, rid, rule, rv, var)", x -> null,
                member, id, sequence, kind, points, balanceAfter, pointType, reference, description, occurred, recorded,
                fingerprints.toArray(new String[0]), actor == null ? null : actor.sub(),
                actor == null ? null : actor.source(), requestIds.toArray(new String[0]),
                r.stream().map(RuleOfEntry::ruleId).toArray(String[]::new),
                r.stream().map(RuleOfEntry::rulesVersion).toArray(Long[]::new),
                r.stream().map(RuleOfEntry::variant).toArray(String[]::new));
    }

    private void insertLots(Tx tx, List<Lot> lots, List<UUID> sourceEntryIds) {
        int n = lots.size();
        String[] member = new String[n];
        UUID[] id = new UUID[n];
        String[] pointType = new String[n];
        Long[] original = new Long[n];
        Long[] remaining = new Long[n];
        OffsetDateTime[] earned = new OffsetDateTime[n];
        OffsetDateTime[] expires = new OffsetDateTime[n];
        OffsetDateTime[] pending = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Lot l = lots.get(i);
            pending[i] = utc(l.pendingUntil());
            member[i] = l.memberId().value();
            id[i] = l.lotId();
            pointType[i] = l.pointType();
            original[i] = l.originalPoints();
            remaining[i] = l.remainingPoints();
            earned[i] = utc(l.earnedAt());
            expires[i] = utc(l.expiresAt());
        }
        tx.later("INSERT INTO lots(" + LOT_COLUMNS + ") SELECT * FROM unnest($1::text[], $2::uuid[],"
                        + " $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::uuid[],"
                        + " $9::timestamptz[])", r -> null,
                member, id, pointType, original, remaining, earned, expires, sourceEntryIds.toArray(new UUID[0]), pending);
    }

    private void moveAccounts(Tx tx, Map<MemberId, AccountState> before, Map<MemberId, AccountState> after, Instant now) {
        if (after.isEmpty()) {
            return;
        }
        if (after.size() == 1) {
            // One member (an API event): the single-member statement, keyed by member_id = $1.
            MemberId only = after.keySet().iterator().next();
            moveAccount(tx, before.get(only), after.get(only), now);
            return;
        }
        List<MemberId> members = new ArrayList<>(after.keySet());
        members.sort(Comparator.comparing(MemberId::value));
        tx.later("WITH u AS (UPDATE accounts a SET balance = v.balance, version = v.version, updated_at = $5"
                        + " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS v(member_id, balance, version, before_version)"
                        + " WHERE a.member_id = v.member_id AND a.version = v.before_version RETURNING 1)"
                        + " SELECT 1 / (CASE WHEN count(*) = $6 THEN 1 ELSE 0 END) FROM u", r -> null,
                members.stream().map(MemberId::value).toArray(String[]::new),
                members.stream().map(m -> after.get(m).balance()).toArray(Long[]::new),
                members.stream().map(m -> after.get(m).version()).toArray(Long[]::new),
                members.stream().map(m -> before.get(m).version()).toArray(Long[]::new), now, members.size());
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
