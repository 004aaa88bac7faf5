package dev.loyalty.core.simulation;

import dev.loyalty.core.EntryKind;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.HoldStatus;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A deliberately plain second implementation of the contract, written from its text and
 * sharing no rule code with the core: mutable lists, one method per operation, each check in
 * API order. It predicts every outcome the system under test must give.
 *
 * <p>The one thing it takes from the system under test is the lot ids used to break ties in
 * spending order (same expiry, same earnedAt): the contract orders those by lot id, and ids are
 * the system's to assign. {@link Simulation} binds them with {@link #bindLot} right after the
 * lot is created, before it can be spent.
 */
final class ReferenceModel implements LedgerUnderTest {

    static final long MAX_POINTS = 1_000_000_000L;
    static final long TTL_DEFAULT_SECONDS = 900L;
    static final long TTL_MAX_SECONDS = 604_800L;
    private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern REFERENCE = Pattern.compile("[\\x21-\\x7E]{1,128}");
    /** Days points of a type last, counted as whole UTC days after the day earned; absent = never. */
    private static final Map<String, Integer> DAYS = Map.of("PURCHASE", 365, "SIGN_IN", 30, "PROMO", 90);
    private static final List<String> TYPES = List.of("PURCHASE", "SIGN_IN", "PROMO", "BONUS");

    static final class MLot {
        final UUID id;
        UUID tieBreakId;
        final String type;
        final long original;
        long remaining;
        final Instant earnedAt;
        final Instant expiresAt; // null = never
        final UUID source;
        Instant pendingUntil; // null = never pending

        MLot(UUID id, String type, long points, Instant earnedAt, Instant expiresAt, UUID source) {
            this.id = id;
            this.tieBreakId = id;
            this.type = type;
            this.original = points;
            this.remaining = points;
            this.earnedAt = earnedAt;
            this.expiresAt = expiresAt;
            this.source = source;
        }

        boolean spendable(Instant now) {
            return remaining > 0 && (expiresAt == null || now.isBefore(expiresAt))
                    && (pendingUntil == null || !now.isBefore(pendingUntil));
        }
    }

    static final class MEntry {
        final UUID id;
        final EntryKind kind;
        final long points;
        final long balanceAfter;
        final long sequence;
        final UUID reverses;
        final Map<UUID, Long> allocations = new LinkedHashMap<>(); // lot -> positive points, in order

        MEntry(UUID id, EntryKind kind, long points, long balanceAfter, long sequence, UUID reverses) {
            this.id = id;
            this.kind = kind;
            this.points = points;
            this.balanceAfter = balanceAfter;
            this.sequence = sequence;
            this.reverses = reverses;
        }
    }

    static final class MHold {
        final UUID id;
        final long points;
        HoldStatus status = HoldStatus.HELD;
        final Instant expiresAt;

        MHold(UUID id, long points, Instant expiresAt) {
            this.id = id;
            this.points = points;
            this.expiresAt = expiresAt;
        }

        boolean active(Instant now) {
            return status == HoldStatus.HELD && now.isBefore(expiresAt);
        }
    }

    /** A write as requested, to tell a retry (same request) from a reuse of its reference (another one). */
    record Request(String namespace, String reference, List<Object> fields, UUID answer) {
    }

    static final class MMember {
        long balance;
        /** namespace + " " + reference -> the write that took it; holds and redeems share "SPEND". */
        final Map<String, Request> requests = new HashMap<>();
        /** holdId -> the amount its capture took and the capture's REDEEM entry. */
        final Map<UUID, long[]> capturedAmount = new HashMap<>();
        final Map<UUID, UUID> captureEntry = new HashMap<>();
        /** Set once the account is closed: every later write is ACCOUNT_CLOSED (after the reference check). */
        boolean closed;
        List<Object> closing;
        final List<MLot> lots = new ArrayList<>();
        final List<MEntry> entries = new ArrayList<>();
        final List<MHold> holds = new ArrayList<>();
        /** Purchases by reference: their amount, what returns returned so far, their award and what returns gave back of it. */
        final Map<String, MPurchase> purchases = new HashMap<>();
        /** Every change to qualification, in the order it was written: when, the day it counts on, type, signed points. */
        final List<QChange> qualifying = new ArrayList<>();
    }

    record QChange(Instant at, LocalDate day, String type, long points) {
    }

    static final class MPurchase {
        final long amount;
        long returnedSoFar;
        final MEntry award;
        final MLot lot;
        long given;

        MPurchase(long amount, MEntry award, MLot lot) {
            this.amount = amount;
            this.award = award;
            this.lot = lot;
        }
    }

    private final Map<String, MMember> members = new LinkedHashMap<>();
    /** rewardId -> units left. */
    private final Map<String, Long> rewardStock = new HashMap<>();

    /** A redemption as the model keeps it; {@code status} PENDING, FULFILLED or CANCELLED. */
    static final class MRedemption {
        final String member;
        final String rewardId;
        final int quantity;
        final MEntry paidBy;
        String status = "PENDING";

        MRedemption(String member, String rewardId, int quantity, MEntry paidBy) {
            this.member = member;
            this.rewardId = rewardId;
            this.quantity = quantity;
            this.paidBy = paidBy;
        }
    }

    private final Map<UUID, MRedemption> redemptions = new HashMap<>();
    private final Map<UUID, MLot> lotsById = new HashMap<>();
    private long nextId = 1;

    private UUID newId() {
        return new UUID(0x5EED_0000_0000_0000L, nextId++);
    }

    /** Breaks spending-order ties like the system under test: by the id it gave the same lot. */
    void bindLot(UUID modelLotId, UUID sutLotId) {
        lotsById.get(modelLotId).tieBreakId = sutLotId;
    }

    // --- queries the workload uses to aim at boundaries ---

    boolean exists(String member) {
        return members.containsKey(member);
    }

    long available(String member, Instant now) {
        MMember m = members.get(member);
        return m == null ? 0 : Math.max(0, spendable(m, now) - held(m, now));
    }

    /** Points held by {@code holdId} and how much a capture of it could take, or -1 if not active. */
    long capturable(String member, UUID holdId, Instant now) {
        MMember m = members.get(member);
        MHold h = m == null ? null : findHold(m, holdId);
        if (h == null || !h.active(now)) {
            return -1;
        }
        return Math.max(0, spendable(m, now) - (held(m, now) - h.points));
    }

    long reversible(String member, UUID transactionId) {
        MMember m = members.get(member);
        MEntry tx = m == null ? null : findEntry(m, transactionId);
        return tx == null ? 0 : reversible(m, tx);
    }

    /** The next instant after {@code now} at which a lot or a hold stops: where off-by-one bugs live. */
    Instant nextDeadlineAfter(Instant now) {
        Instant next = null;
        for (MMember m : members.values()) {
            for (MLot lot : m.lots) {
                if (lot.remaining > 0 && lot.expiresAt != null && lot.expiresAt.isAfter(now)
                        && (next == null || lot.expiresAt.isBefore(next))) {
                    next = lot.expiresAt;
                }
                if (lot.remaining > 0 && lot.pendingUntil != null && lot.pendingUntil.isAfter(now)
                        && (next == null || lot.pendingUntil.isBefore(next))) {
                    next = lot.pendingUntil; // where the points become available
                }
            }
            for (MHold hold : m.holds) {
                if (hold.active(now) && (next == null || hold.expiresAt.isBefore(next))) {
                    next = hold.expiresAt;
                }
            }
        }
        return next;
    }

    /** The member's purchases, by reference, in the order made. */
    List<String> purchases(String member) {
        MMember m = members.get(member);
        return m == null ? List.of() : m.purchases.keySet().stream().sorted().toList();
    }

    /** Minor units of the purchase that can still be returned. */
    long returnable(String member, String reference) {
        MPurchase p = members.get(member).purchases.get(reference);
        return p.amount - p.returnedSoFar;
    }

    List<MEntry> entries(String member) {
        MMember m = members.get(member);
        return m == null ? List.of() : m.entries;
    }

    // --- operations ---

    @Override
    public OpResult earn(String member, long points, String type, String reference, Instant now) {
        if (!MEMBER.matcher(member).matches() || !validPoints(points)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        if (!TYPES.contains(type)) {
            return OpResult.rejected("UNKNOWN_POINT_TYPE");
        }
        if (!validReference(reference)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.computeIfAbsent(member, k -> new MMember());
        List<Object> fields = List.of("earn", points, type);
        Optional<OpResult> seen = seen(m, "EARN", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        MEntry entry = append(m, EntryKind.EARN, points, null);
        remember(m, "EARN", reference, fields, entry.id);
        Instant expiresAt = DAYS.containsKey(type)
                ? LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(DAYS.get(type) + 1L).atStartOfDay(ZoneOffset.UTC).toInstant()
                : null;
        addLot(m, new MLot(newId(), type, points, now, expiresAt, entry.id));
        m.qualifying.add(new QChange(now, LocalDate.ofInstant(now, ZoneOffset.UTC), type, points));
        return OpResult.ok(entry.id);
    }

    @Override
    public OpResult purchase(String member, long amount, String reference, Instant now) {
        if (!MEMBER.matcher(member).matches() || !validReference(reference) || amount < 1 || amount > 1_000_000_000_000L) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        long points = amount / PER_AMOUNT;
        MMember m = members.computeIfAbsent(member, k -> new MMember());
        List<Object> fields = List.of("purchase", amount);
        Optional<OpResult> seen = seen(m, "EVENT", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        if (points > MAX_POINTS) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        if (points == 0) {
            throw new IllegalStateException("the workload's purchases always earn");
        }
        MEntry entry = append(m, EntryKind.EARN, points, null);
        remember(m, "EVENT", reference, fields, entry.id);
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        MLot lot = new MLot(newId(), "PURCHASE", points, now,
                day.plusDays(DAYS.get("PURCHASE") + 1L).atStartOfDay(ZoneOffset.UTC).toInstant(), entry.id);
        lot.pendingUntil = day.plusDays(PENDING_DAYS + 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
        addLot(m, lot);
        m.purchases.put(reference, new MPurchase(amount, entry, lot));
        m.qualifying.add(new QChange(now, day, "PURCHASE", points));
        return OpResult.ok(entry.id);
    }

    @Override
    public OpResult returnPurchase(String member, String originalReference, Long amount, String reference, Instant now) {
        if (!MEMBER.matcher(member).matches() || !validReference(reference) || !validReference(originalReference)
                || originalReference.equals(reference) || (amount != null && (amount < 1 || amount > 1_000_000_000_000L))) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("EVENT_NOT_FOUND");
        }
        List<Object> fields = Arrays.asList("return", originalReference, amount);
        Optional<OpResult> seen = seen(m, "EVENT", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        MPurchase p = m.purchases.get(originalReference);
        if (p == null) {
            return OpResult.rejected("EVENT_NOT_FOUND");
        }
        long returnable = p.amount - p.returnedSoFar;
        long returned = amount == null ? returnable : amount;
        if (returned == 0 || returned > returnable) {
            return new OpResult(false, "RETURN_EXCEEDS_PURCHASE", null, returnable);
        }
        p.returnedSoFar += returned;
        long award = p.award.points;
        // What the award owes back in total now; never what reversals of it already took.
        long owedInTotal = java.math.BigInteger.valueOf(award).multiply(java.math.BigInteger.valueOf(p.returnedSoFar))
                .divide(java.math.BigInteger.valueOf(p.amount)).longValueExact();
        long reversedByOperator = 0;
        for (MEntry e : m.entries) {
            if (e.kind == EntryKind.REVERSAL && p.award.id.equals(e.reverses)) {
                reversedByOperator += -e.points;
            }
        }
        long due = Math.max(0, Math.min(owedInTotal - p.given, award - reversedByOperator - p.given));
        p.given += due;
        long fromOwn = p.lot.remaining > 0 && now.isBefore(p.lot.expiresAt) ? Math.min(due, p.lot.remaining) : 0;
        long budget = Math.max(0, spendable(m, now) - (p.lot.spendable(now) ? fromOwn : 0) - held(m, now));
        long fromOthers = Math.min(due - fromOwn, budget);
        UUID id = null;
        if (fromOwn + fromOthers > 0) {
            // Qualification drops by what the return took back (not the shortfall), on the purchase's day.
            m.qualifying.add(new QChange(now, LocalDate.ofInstant(p.lot.earnedAt, ZoneOffset.UTC), "PURCHASE",
                    -(fromOwn + fromOthers)));
            MEntry entry = append(m, EntryKind.RETURN, -(fromOwn + fromOthers), p.award.id);
            if (fromOwn > 0) {
                p.lot.remaining -= fromOwn;
                entry.allocations.put(p.lot.id, fromOwn);
            }
            if (fromOthers > 0) {
                take(m, fromOthers, now, entry);
            }
            id = entry.id;
        }
        remember(m, "EVENT", reference, fields, id);
        return OpResult.ok(id);
    }

    /** Empty when the reference is new; else the original answer (same request) or REFERENCE_ALREADY_USED. */
    private static Optional<OpResult> seen(MMember m, String namespace, String reference, List<Object> fields) {
        Request prior = m.requests.get(namespace + " " + reference);
        if (prior == null) {
            return Optional.empty();
        }
        return Optional.of(prior.fields().equals(fields) ? OpResult.ok(prior.answer())
                : OpResult.rejected("REFERENCE_ALREADY_USED"));
    }

    private static void remember(MMember m, String namespace, String reference, List<Object> fields, UUID answer) {
        m.requests.put(namespace + " " + reference, new Request(namespace, reference, fields, answer));
    }

    @Override
    public OpResult redeem(String member, long points, String reference, Instant now) {
        if (!validPoints(points) || !validReference(reference)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> fields = List.of("redeem", points);
        Optional<OpResult> seen = seen(m, "SPEND", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        long available = Math.max(0, spendable(m, now) - held(m, now));
        if (points > available) {
            return OpResult.insufficient(available);
        }
        MEntry entry = append(m, EntryKind.REDEEM, -points, null);
        take(m, points, now, entry);
        remember(m, "SPEND", reference, fields, entry.id);
        return OpResult.ok(entry.id);
    }

    @Override
    public void defineReward(String rewardId, Instant now) {
        rewardStock.put(rewardId, REWARD_STOCK);
    }

    @Override
    public long rewardStock(String rewardId) {
        return rewardStock.getOrDefault(rewardId, 0L);
    }

    @Override
    public OpResult redeemReward(String member, String rewardId, Integer quantity, String reference, Instant now) {
        int q = quantity == null ? 1 : quantity;
        if (!MEMBER.matcher(rewardId).matches() || q < 1 || q > 100 || !validReference(reference)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> fields = List.of("redemption", rewardId, q);
        Optional<OpResult> seen = seen(m, "SPEND", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        Long stock = rewardStock.get(rewardId);
        if (stock == null) {
            return OpResult.rejected("REWARD_NOT_FOUND");
        }
        long units = 0;
        for (MRedemption r : redemptions.values()) {
            if (r.member.equals(member) && r.rewardId.equals(rewardId) && !r.status.equals("CANCELLED")) {
                units += r.quantity;
            }
        }
        if (units + q > REWARD_LIMIT) {
            return OpResult.rejected("REDEMPTION_LIMIT_REACHED");
        }
        if (stock < q) {
            return OpResult.rejected("OUT_OF_STOCK");
        }
        long points = REWARD_COST * q;
        long available = Math.max(0, spendable(m, now) - held(m, now));
        if (points > available) {
            return OpResult.insufficient(available);
        }
        MEntry entry = append(m, EntryKind.REDEEM, -points, null);
        take(m, points, now, entry);
        UUID id = newId();
        redemptions.put(id, new MRedemption(member, rewardId, q, entry));
        rewardStock.put(rewardId, stock - q);
        remember(m, "SPEND", reference, fields, id);
        return OpResult.ok(id);
    }

    @Override
    public OpResult fulfil(String member, UUID redemptionId, Instant now) {
        if (members.get(member) == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        MRedemption r = redemptions.get(redemptionId);
        if (r == null || !r.member.equals(member)) {
            return OpResult.rejected("REDEMPTION_NOT_FOUND");
        }
        if (r.status.equals("FULFILLED")) {
            return OpResult.ok(redemptionId); // the same fulfil again
        }
        if (!r.status.equals("PENDING")) {
            return OpResult.rejected("REDEMPTION_NOT_PENDING");
        }
        r.status = "FULFILLED";
        return OpResult.ok(redemptionId);
    }

    @Override
    public OpResult cancelRedemption(String member, UUID redemptionId, Instant now) {
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        MRedemption r = redemptions.get(redemptionId);
        if (r == null || !r.member.equals(member)) {
            return OpResult.rejected("REDEMPTION_NOT_FOUND");
        }
        if (r.status.equals("CANCELLED")) {
            return OpResult.ok(redemptionId); // the same cancel again: no second refund
        }
        if (r.status.equals("PENDING") && m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED"); // a closed account gets nothing back
        }
        if (!r.status.equals("PENDING")) {
            return OpResult.rejected("REDEMPTION_NOT_PENDING");
        }
        long amount = reversible(m, r.paidBy); // all of it, less what an operator's reversal already gave back
        if (amount > 0) {
            MEntry entry = append(m, EntryKind.REVERSAL, amount, r.paidBy.id);
            Map<UUID, Long> restored = restoredSoFar(m, r.paidBy);
            List<UUID> spentLots = new ArrayList<>(r.paidBy.allocations.keySet());
            long left = amount;
            for (int i = spentLots.size() - 1; i >= 0 && left > 0; i--) {
                UUID lotId = spentLots.get(i);
                long give = Math.min(left, r.paidBy.allocations.get(lotId) - restored.getOrDefault(lotId, 0L));
                if (give > 0) {
                    lotsById.get(lotId).remaining += give;
                    entry.allocations.put(lotId, give);
                    left -= give;
                }
            }
        }
        r.status = "CANCELLED";
        rewardStock.merge(r.rewardId, (long) r.quantity, Long::sum);
        return OpResult.ok(redemptionId);
    }

    @Override
    public OpResult hold(String member, long points, String reference, Long ttlSeconds, Instant now) {
        long ttl = ttlSeconds == null ? TTL_DEFAULT_SECONDS : ttlSeconds;
        if (!validPoints(points) || !validReference(reference) || ttl < 1 || ttl > TTL_MAX_SECONDS) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> fields = List.of("hold", points, ttl);
        Optional<OpResult> seen = seen(m, "SPEND", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        long available = Math.max(0, spendable(m, now) - held(m, now));
        if (points > available) {
            return OpResult.insufficient(available);
        }
        MHold hold = new MHold(newId(), points, now.plusSeconds(ttl));
        m.holds.add(hold);
        remember(m, "SPEND", reference, fields, hold.id);
        return OpResult.ok(hold.id);
    }

    @Override
    public OpResult capture(String member, UUID holdId, Long points, Instant now) {
        if (points != null && !validPoints(points)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        MHold hold = findHold(m, holdId);
        if (hold != null && hold.status == HoldStatus.CAPTURED) { // a capture again: the same one (same amount) or another
            long asked = points == null ? hold.points : points;
            return asked == m.capturedAmount.get(hold.id)[0] ? OpResult.ok(m.captureEntry.get(hold.id))
                    : OpResult.rejected("REFERENCE_ALREADY_USED");
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        if (hold == null) {
            return OpResult.rejected("HOLD_NOT_FOUND");
        }
        if (!hold.active(now)) {
            return OpResult.rejected("HOLD_NOT_ACTIVE");
        }
        long amount = points == null ? hold.points : points;
        if (amount > hold.points) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        // The hold's own reservation may be used, other holds' may not.
        long capturable = Math.max(0, spendable(m, now) - (held(m, now) - hold.points));
        if (amount > capturable) {
            return OpResult.insufficient(capturable);
        }
        hold.status = HoldStatus.CAPTURED;
        MEntry entry = append(m, EntryKind.REDEEM, -amount, null);
        take(m, amount, now, entry);
        m.capturedAmount.put(hold.id, new long[]{amount});
        m.captureEntry.put(hold.id, entry.id);
        return OpResult.ok(entry.id);
    }

    @Override
    public OpResult voidHold(String member, UUID holdId, Instant now) {
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        MHold hold = findHold(m, holdId);
        if (hold != null && hold.status == HoldStatus.VOIDED) {
            return OpResult.ok(hold.id); // voiding again is the same request
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        if (hold == null) {
            return OpResult.rejected("HOLD_NOT_FOUND");
        }
        if (!hold.active(now)) {
            return OpResult.rejected("HOLD_NOT_ACTIVE");
        }
        hold.status = HoldStatus.VOIDED;
        return OpResult.ok(hold.id);
    }

    @Override
    public OpResult reverse(String member, UUID transactionId, Long points, String reference, Instant now) {
        if ((points != null && !validPoints(points)) || !validReference(reference)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> fields = Arrays.asList("reversal", transactionId, points);
        Optional<OpResult> seen = seen(m, "REVERSAL", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        MEntry tx = findEntry(m, transactionId);
        if (tx == null) {
            return OpResult.rejected("TRANSACTION_NOT_FOUND");
        }
        long reversible = reversible(m, tx);
        long amount = points == null ? reversible : points;
        if (amount == 0 || amount > reversible) {
            return OpResult.notReversible(reversible);
        }
        if (tx.kind == EntryKind.EARN) {
            MLot lot = lotOf(m, tx);
            m.qualifying.add(new QChange(now, LocalDate.ofInstant(lot.earnedAt, ZoneOffset.UTC), lot.type, -amount));
            MEntry entry = append(m, EntryKind.REVERSAL, -amount, tx.id);
            lot.remaining -= amount;
            entry.allocations.put(lot.id, amount);
        } else {
            MEntry entry = append(m, EntryKind.REVERSAL, amount, tx.id);
            Map<UUID, Long> restored = restoredSoFar(m, tx);
            List<UUID> spentLots = new ArrayList<>(tx.allocations.keySet());
            long left = amount;
            for (int i = spentLots.size() - 1; i >= 0 && left > 0; i--) { // the lot spent last first
                UUID lotId = spentLots.get(i);
                long give = Math.min(left, tx.allocations.get(lotId) - restored.getOrDefault(lotId, 0L));
                if (give > 0) {
                    lotsById.get(lotId).remaining += give;
                    entry.allocations.put(lotId, give);
                    left -= give;
                }
            }
        }
        UUID id = m.entries.get(m.entries.size() - 1).id;
        remember(m, "REVERSAL", reference, fields, id);
        return OpResult.ok(id);
    }

    @Override
    public OpResult transfer(String from, String to, long points, String reference, Instant now) {
        if (!validPoints(points) || !validReference(reference) || to == null || !MEMBER.matcher(to).matches()
                || to.equals(from)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember sender = members.get(from);
        if (sender == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> fields = List.of("transfer", to, points);
        Optional<OpResult> seen = seen(sender, "TRANSFER_OUT", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        MMember receiver = members.get(to);
        if (receiver == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        if (sender.closed || receiver.closed) { // a closed account neither sends nor receives
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        long available = Math.max(0, spendable(sender, now) - held(sender, now));
        if (points > available) {
            return OpResult.insufficient(available);
        }
        MEntry out = append(sender, EntryKind.TRANSFER_OUT, -points, null);
        take(sender, points, now, out);
        MEntry in = append(receiver, EntryKind.TRANSFER_IN, points, null);
        for (Map.Entry<UUID, Long> taken : out.allocations.entrySet()) {
            MLot source = lotsById.get(taken.getKey());
            addLot(receiver, new MLot(newId(), source.type, taken.getValue(), source.earnedAt, source.expiresAt, in.id));
        }
        remember(sender, "TRANSFER_OUT", reference, fields, out.id);
        return OpResult.ok(out.id);
    }

    @Override
    public OpResult adjust(String member, long points, String type, String reference, String reason, Instant now) {
        if (points == 0 || Math.abs(points) > MAX_POINTS || !validReference(reference)
                || reason == null || reason.isBlank()) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        if (points > 0 && !TYPES.contains(type)) {
            return OpResult.rejected("UNKNOWN_POINT_TYPE");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> fields = Arrays.asList("adjustment", points, points > 0 ? type : null, reason);
        Optional<OpResult> seen = seen(m, "ADJUSTMENT", reference, fields);
        if (seen.isPresent()) {
            return seen.get();
        }
        if (m.closed) {
            return OpResult.rejected("ACCOUNT_CLOSED");
        }
        MEntry entry;
        if (points > 0) {
            entry = append(m, EntryKind.ADJUSTMENT, points, null);
            Instant expiresAt = DAYS.containsKey(type)
                    ? LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(DAYS.get(type) + 1L).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : null;
            addLot(m, new MLot(newId(), type, points, now, expiresAt, entry.id));
        } else {
            long available = Math.max(0, spendable(m, now) - held(m, now));
            if (-points > available) {
                return OpResult.insufficient(available);
            }
            entry = append(m, EntryKind.ADJUSTMENT, points, null);
            take(m, -points, now, entry);
        }
        remember(m, "ADJUSTMENT", reference, fields, entry.id);
        return OpResult.ok(entry.id);
    }

    @Override
    public OpResult close(String member, String reason, String reference, Instant now) {
        if (!validReference(reference) || reason == null || reason.isBlank()) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        MMember m = members.get(member);
        if (m == null) {
            return OpResult.rejected("MEMBER_NOT_FOUND");
        }
        List<Object> closing = List.of(reference, reason);
        if (m.closed) {
            return closing.equals(m.closing) ? OpResult.ok(null) : OpResult.rejected("ACCOUNT_CLOSED");
        }
        // Everything left goes, expired or not, in the spending order; active holds are voided.
        List<MLot> left = new ArrayList<>();
        for (MLot lot : m.lots) {
            if (lot.remaining > 0) {
                left.add(lot);
            }
        }
        left.sort(Comparator.comparing((MLot l) -> l.expiresAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
                .thenComparing(l -> l.earnedAt)
                .thenComparing((MLot l) -> l.tieBreakId, ReferenceModel::uuidOrder));
        long total = 0;
        for (MLot lot : left) {
            total += lot.remaining;
        }
        if (total > 0) {
            MEntry entry = append(m, EntryKind.ADJUSTMENT, -total, null);
            for (MLot lot : left) {
                entry.allocations.put(lot.id, lot.remaining);
                lot.remaining = 0;
            }
        }
        for (MHold hold : m.holds) {
            if (hold.active(now)) {
                hold.status = HoldStatus.VOIDED;
            }
        }
        m.closed = true;
        m.closing = closing;
        return OpResult.ok(null);
    }

    @Override
    public OpResult expire(Instant now) {
        for (MMember m : members.values()) {
            for (MHold hold : m.holds) {
                if (hold.status == HoldStatus.HELD && !hold.active(now)) {
                    hold.status = HoldStatus.EXPIRED;
                }
            }
            long total = 0;
            for (MLot lot : m.lots) {
                if (lot.remaining > 0 && lot.expiresAt != null && !now.isBefore(lot.expiresAt)) {
                    total += lot.remaining;
                }
            }
            if (total > 0) {
                MEntry entry = append(m, EntryKind.EXPIRE, -total, null);
                for (MLot lot : m.lots) {
                    if (lot.remaining > 0 && lot.expiresAt != null && !now.isBefore(lot.expiresAt)) {
                        entry.allocations.put(lot.id, lot.remaining);
                        lot.remaining = 0;
                    }
                }
            }
        }
        return OpResult.ok(null);
    }

    @Override
    public Snapshot snapshot(String member, Instant now) {
        MMember m = members.get(member);
        if (m == null) {
            return Snapshot.absent(member);
        }
        List<Snapshot.LotView> lots = new ArrayList<>();
        for (MLot l : m.lots) {
            lots.add(new Snapshot.LotView(l.id, l.type, l.original, l.remaining, l.earnedAt, l.expiresAt, l.source,
                    l.pendingUntil));
        }
        List<Snapshot.EntryView> entries = new ArrayList<>();
        for (MEntry e : m.entries) {
            List<Allocation> allocations = new ArrayList<>();
            e.allocations.forEach((lot, points) -> allocations.add(new Allocation(lot, points)));
            entries.add(new Snapshot.EntryView(e.id, e.kind, e.points, e.balanceAfter, e.sequence, e.reverses, allocations));
        }
        List<Snapshot.HoldView> holds = new ArrayList<>();
        for (MHold h : m.holds) {
            holds.add(new Snapshot.HoldView(h.id, h.points, h.status, h.expiresAt));
        }
        return new Snapshot(member, true, m.balance, Math.max(0, spendable(m, now) - held(m, now)), held(m, now),
                lots, entries, holds);
    }

    // --- helpers ---

    private static boolean validPoints(long points) {
        return points >= 1 && points <= MAX_POINTS;
    }

    private static boolean validReference(String reference) {
        return reference != null && REFERENCE.matcher(reference).matches();
    }

    private static long spendable(MMember m, Instant now) {
        long total = 0;
        for (MLot lot : m.lots) {
            if (lot.spendable(now)) {
                total += lot.remaining;
            }
        }
        return total;
    }

    private static long held(MMember m, Instant now) {
        long total = 0;
        for (MHold hold : m.holds) {
            if (hold.active(now)) {
                total += hold.points;
            }
        }
        return total;
    }

    private MEntry append(MMember m, EntryKind kind, long points, UUID reverses) {
        m.balance += points;
        MEntry entry = new MEntry(newId(), kind, points, m.balance, m.entries.size() + 1L, reverses);
        m.entries.add(entry);
        return entry;
    }

    private void addLot(MMember m, MLot lot) {
        m.lots.add(lot);
        lotsById.put(lot.id, lot);
    }

    /** Greedy over spendable lots: earliest expiry (never last), then oldest, then lot id. */
    private static void take(MMember m, long points, Instant now, MEntry entry) {
        List<MLot> order = new ArrayList<>();
        for (MLot lot : m.lots) {
            if (lot.spendable(now)) {
                order.add(lot);
            }
        }
        order.sort(Comparator.comparing((MLot l) -> l.expiresAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
                .thenComparing(l -> l.earnedAt)
                .thenComparing((MLot l) -> l.tieBreakId, ReferenceModel::uuidOrder));
        long left = points;
        for (MLot lot : order) {
            if (left == 0) {
                break;
            }
            long take = Math.min(left, lot.remaining);
            lot.remaining -= take;
            entry.allocations.put(lot.id, take);
            left -= take;
        }
    }

    private static MHold findHold(MMember m, UUID holdId) {
        for (MHold hold : m.holds) {
            if (hold.id.equals(holdId)) {
                return hold;
            }
        }
        return null;
    }

    private static MEntry findEntry(MMember m, UUID id) {
        for (MEntry e : m.entries) {
            if (e.id.equals(id)) {
                return e;
            }
        }
        return null;
    }

    private static MLot lotOf(MMember m, MEntry earn) {
        for (MLot lot : m.lots) {
            if (lot.source.equals(earn.id)) {
                return lot;
            }
        }
        throw new IllegalStateException("earn without a lot");
    }

    /** Per lot, the points earlier reversals of {@code tx} gave back. */
    private static Map<UUID, Long> restoredSoFar(MMember m, MEntry tx) {
        Map<UUID, Long> restored = new HashMap<>();
        for (MEntry e : m.entries) {
            if (tx.id.equals(e.reverses)) {
                e.allocations.forEach((lot, points) -> restored.merge(lot, points, Long::sum));
            }
        }
        return restored;
    }

    private static long reversible(MMember m, MEntry tx) {
        long alreadyReversed = 0;
        for (MEntry e : m.entries) {
            if (tx.id.equals(e.reverses)) {
                alreadyReversed += Math.abs(e.points);
            }
        }
        long outstanding = Math.abs(tx.points) - alreadyReversed;
        if (tx.kind == EntryKind.EARN) {
            return Math.min(lotOf(m, tx).remaining, outstanding);
        }
        if (tx.kind == EntryKind.REDEEM) {
            Map<UUID, Long> restored = restoredSoFar(m, tx);
            long restorable = 0;
            for (Map.Entry<UUID, Long> spent : tx.allocations.entrySet()) {
                restorable += spent.getValue() - restored.getOrDefault(spent.getKey(), 0L);
            }
            return Math.min(outstanding, restorable);
        }
        return 0;
    }

    /** The contract orders ties by lot id; ids compare as PostgreSQL compares uuids: bytes, unsigned. */
    private static int uuidOrder(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    // --- tiers: replayed from scratch, write by write and day by day, not from stored state ---

    /**
     * The member's qualifying points and tier at {@code now} under {@code set}, by replaying its
     * qualifying changes in order and walking every day start in between: a write that reaches a
     * higher threshold upgrades at once; falling below the tier's threshold (at a write, or at the
     * start of a day old earns left the window) starts the grace; the grace's end drops to the
     * tier the points give then; reaching the threshold again at a write ends the grace.
     */
    LedgerUnderTest.TierReading tier(dev.loyalty.core.tiers.TierSet set, String member, Instant now) {
        MMember m = members.get(member);
        TierWalk walk = new TierWalk(set, m.qualifying);
        for (int i = 0; i < m.qualifying.size(); i++) {
            QChange c = m.qualifying.get(i);
            walk.advance(c.at());
            walk.applied = i + 1;
            walk.written(c.at());
        }
        walk.advance(now);
        return new LedgerUnderTest.TierReading(walk.points(LocalDate.ofInstant(now, ZoneOffset.UTC)), walk.tier, walk.history);
    }

    private static final class TierWalk {
        final dev.loyalty.core.tiers.TierSet set;
        final List<QChange> changes;
        int applied;
        String tier;
        Instant below;
        /** Why the points went below: RETURN at a write (only returns and reversals lower them), GRACE_ENDED at a day start. */
        String belowReason;
        Instant at;
        final List<String> history = new ArrayList<>();

        TierWalk(dev.loyalty.core.tiers.TierSet set, List<QChange> changes) {
            this.set = set;
            this.changes = changes;
            this.tier = set.tiers().get(0).name();
        }

        long points(LocalDate day) {
            LocalDate start = set.window() == dev.loyalty.core.tiers.QualifyingWindow.ROLLING_12_MONTHS
                    ? day.minusYears(1).plusDays(1) : LocalDate.of(day.getYear(), 1, 1);
            // What a day earned of a type, less what was taken back of it, in the order written:
            // a take-back never takes a day's points below zero (a reversal after a return of the
            // same award may ask for more than the day still has).
            Map<String, Long> byDayAndType = new HashMap<>();
            for (int i = 0; i < applied; i++) {
                QChange c = changes.get(i);
                byDayAndType.merge(c.day() + " " + c.type(), c.points(), (was, d) -> Math.max(0, was + d));
                byDayAndType.computeIfPresent(c.day() + " " + c.type(), (k, v) -> Math.max(0, v));
            }
            long sum = 0;
            for (Map.Entry<String, Long> e : byDayAndType.entrySet()) {
                String[] dayAndType = e.getKey().split(" ");
                if (set.pointTypes().contains(dayAndType[1]) && !LocalDate.parse(dayAndType[0]).isBefore(start)) {
                    sum += e.getValue();
                }
            }
            return sum;
        }

        long threshold(String name) {
            return set.tiers().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow().threshold();
        }

        String tierFor(long points) {
            String best = set.tiers().get(0).name();
            for (var t : set.tiers()) {
                if (points >= t.threshold()) {
                    best = t.name();
                }
            }
            return best;
        }

        Instant due() {
            return below.atZone(ZoneOffset.UTC).plusDays(set.graceDays()).toInstant();
        }

        void dropIfDue(Instant limit) {
            if (below != null && !due().isAfter(limit)) {
                String to = tierFor(points(LocalDate.ofInstant(due(), ZoneOffset.UTC)));
                history.add(LedgerUnderTest.TierReading.change(tier, to, belowReason, due()));
                tier = to;
                below = null;
            }
        }

        /** Time passes to {@code to}: every day start in between, and the grace's end. */
        void advance(Instant to) {
            if (at != null) {
                for (LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC).plusDays(1);
                     !d.atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(to); d = d.plusDays(1)) {
                    Instant dayStart = d.atStartOfDay(ZoneOffset.UTC).toInstant();
                    dropIfDue(dayStart);
                    if (below == null && threshold(tier) > 0 && points(d) < threshold(tier)) {
                        below = dayStart;
                        belowReason = "GRACE_ENDED";
                    }
                }
                dropIfDue(to);
            }
            at = to;
        }

        /** A write at {@code t} changed the points. */
        void written(Instant t) {
            long points = points(LocalDate.ofInstant(t, ZoneOffset.UTC));
            String target = tierFor(points);
            if (threshold(target) > threshold(tier)) {
                history.add(LedgerUnderTest.TierReading.change(tier, target, "QUALIFIED", t));
                tier = target;
                below = null;
            } else if (points >= threshold(tier)) {
                below = null;
            } else {
                if (below == null) {
                    below = t;
                    belowReason = "RETURN";
                }
                dropIfDue(t);
            }
        }
    }
}
