package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Limits;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Points;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.spend.AllocationResult.Allocated;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Redeem, hold, capture, void, reversal, transfer and expiry as pure functions of
 * (member state, command, now, ids). Nothing is persisted: each success says exactly which
 * entries, lots and holds to write, and the caller writes them against
 * {@code state.account().version()} in one database transaction.
 *
 * <p>Checks run in a fixed order and the first failure is the answer: input validation
 * (points, then reference, then description/reason/ttl, then toMemberId) before anything that
 * depends on state. The {@code validate*} methods are that first part alone, so a caller can
 * refuse bad input before it locks or reads any account.
 *
 * <p>Caller bugs (state of another member, a reversal context that contradicts itself, a state
 * whose lots cannot pay what its balance claims) throw; bad input never does.
 */
public final class SpendRules {

    /**
     * Prefix of an EXPIRE entry's reference; the sweep's instant in epoch milliseconds follows,
     * so one sweep writes one entry per member, and two sweeps in the same second (at different
     * instants) never collide on the ledger's unique reference.
     */
    public static final String EXPIRE_REFERENCE_PREFIX = "expire:";
    /** What an EXPIRE entry says on a statement. */
    public static final String EXPIRE_DESCRIPTION = "points expired";

    private SpendRules() {
    }

    // --- input validation, usable before any state is read ---

    public static Optional<Refusal> validateRedeem(RedeemCommand command) {
        Objects.requireNonNull(command, "command");
        return firstOf(checkPoints(command.points()), checkReference(command.reference()),
                checkDescription(command.description()));
    }

    public static Optional<Refusal> validateHold(HoldCommand command) {
        Objects.requireNonNull(command, "command");
        Optional<Refusal> invalid = firstOf(checkPoints(command.points()), checkReference(command.reference()));
        if (invalid.isPresent()) {
            return invalid;
        }
        long ttlSeconds = ttlSecondsOf(command);
        return Hold.isValidTtlSeconds(ttlSeconds) ? Optional.empty() : Optional.of(new Refusal.InvalidTtl(ttlSeconds));
    }

    public static Optional<Refusal> validateCapture(CaptureCommand command) {
        Objects.requireNonNull(command, "command");
        return command.points() == null ? Optional.empty() : checkPoints(command.points());
    }

    public static Optional<Refusal> validateReversal(ReversalCommand command) {
        Objects.requireNonNull(command, "command");
        Optional<Refusal> invalid = firstOf(
                command.points() == null ? Optional.empty() : checkPoints(command.points()),
                checkReference(command.reference()));
        if (invalid.isPresent()) {
            return invalid;
        }
        return Limits.isValidDescription(command.reason()) ? Optional.empty()
                : Optional.of(new Refusal.InvalidText("reason", command.reason().length(), false));
    }

    /**
     * Everything about a transfer that needs no state, so the caller can run it before looking the
     * receiver up (an unknown receiver is the caller's MEMBER_NOT_FOUND, after these checks).
     */
    public static Optional<Refusal> validateTransfer(MemberId from, TransferCommand command) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(command, "command");
        Optional<Refusal> invalid = firstOf(checkPoints(command.points()), checkReference(command.reference()),
                checkDescription(command.description()));
        if (invalid.isPresent()) {
            return invalid;
        }
        if (!MemberId.isValid(command.toMemberId())) {
            return Optional.of(new Refusal.InvalidMemberId("toMemberId", command.toMemberId()));
        }
        if (from.value().equals(command.toMemberId())) {
            return Optional.of(new Refusal.SelfTransfer());
        }
        return Optional.empty();
    }

    // --- rules ---

    /**
     * Spends {@code points} from the lots spendable at {@code now}, in {@link SpendingOrder},
     * if the member has that many available (points reserved by active holds are not).
     *
     * @param ids source of fresh ids: one, the entry id
     */
    public static RedeemOutcome redeem(MemberState state, RedeemCommand command, Instant now, Supplier<UUID> ids) {
        requireArguments(state, command, now, ids);
        Optional<Refusal> invalid = validateRedeem(command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        long available = state.available(now);
        if (command.points() > available) {
            return new Refused(new Refusal.InsufficientPoints(command.points(), available));
        }
        Spend spend = spend(state, command.points(), now);
        AccountState after = debit(state.account(), command.points());
        LedgerEntry entry = entry(ids, after, EntryKind.REDEEM, Math.negateExact(command.points()), null,
                command.reference(), command.description(), now);
        return new RedeemOutcome.Redeemed(entry, spend.allocations(), spend.changedLots(), after);
    }

    /**
     * Reserves {@code points} of the member's available points until now + ttl.
     *
     * @param ids source of fresh ids: one, the hold id
     */
    public static HoldOutcome placeHold(MemberState state, HoldCommand command, Instant now, Supplier<UUID> ids) {
        requireArguments(state, command, now, ids);
        Optional<Refusal> invalid = validateHold(command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        long available = state.available(now);
        if (command.points() > available) {
            return new Refused(new Refusal.InsufficientPoints(command.points(), available));
        }
        UUID holdId = Objects.requireNonNull(ids.get(), "hold id");
        Hold hold = new Hold(holdId, state.memberId(), command.points(), HoldStatus.HELD, command.reference(),
                now, now.plusSeconds(ttlSecondsOf(command)));
        return new HoldOutcome.HoldPlaced(hold, Math.subtractExact(available, command.points()));
    }

    /**
     * Spends all or part of an active hold as a REDEEM entry (reference = the hold's), lots chosen
     * in {@link SpendingOrder} at capture time; the rest of the hold is released. The capture may
     * use the hold's own reservation but not other active holds', and never more than the
     * unexpired lots hold: lots may have expired under the hold since it was placed.
     *
     * @param ids source of fresh ids: one, the entry id
     */
    public static CaptureOutcome capture(MemberState state, CaptureCommand command, Instant now, Supplier<UUID> ids) {
        requireArguments(state, command, now, ids);
        Optional<Refusal> invalid = validateCapture(command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        Optional<Hold> found = command.holdId() == null ? Optional.empty() : state.hold(command.holdId());
        if (found.isEmpty()) {
            return new Refused(new Refusal.HoldNotFound(command.holdId()));
        }
        Hold hold = found.get();
        if (!hold.isActiveAt(now)) {
            return new Refused(new Refusal.HoldNotActive(hold.holdId(), hold.effectiveStatusAt(now)));
        }
        long points = command.points() == null ? hold.points() : command.points();
        if (points > hold.points()) {
            return new Refused(new Refusal.CaptureExceedsHold(points, hold.points()));
        }
        long capturable = state.capturable(hold, now);
        if (points > capturable) {
            return new Refused(new Refusal.InsufficientPoints(points, capturable));
        }
        Spend spend = spend(state, points, now);
        AccountState after = debit(state.account(), points);
        LedgerEntry entry = entry(ids, after, EntryKind.REDEEM, Math.negateExact(points), null,
                hold.reference(), null, now);
        return new CaptureOutcome.Captured(hold.withStatus(HoldStatus.CAPTURED), entry, spend.allocations(), spend.changedLots(),
                after, Math.subtractExact(hold.points(), points));
    }

    /** Releases an active hold. A hold that is already captured, voided or expired is not active. */
    public static VoidOutcome voidHold(MemberState state, VoidCommand command, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(now, "now");
        Optional<Hold> found = command.holdId() == null ? Optional.empty() : state.hold(command.holdId());
        if (found.isEmpty()) {
            return new Refused(new Refusal.HoldNotFound(command.holdId()));
        }
        Hold hold = found.get();
        if (!hold.isActiveAt(now)) {
            return new Refused(new Refusal.HoldNotActive(hold.holdId(), hold.effectiveStatusAt(now)));
        }
        Hold voided = hold.withStatus(HoldStatus.VOIDED);
        long availableAfter = state.withChanges(state.account(), List.of(), List.of(voided)).available(now);
        return new VoidOutcome.Voided(voided, availableAfter);
    }

    /**
     * Reverses all or part of a REDEEM (a redeem or a capture) or an EARN.
     * <ul>
     *   <li>REDEEM: points go back to exactly the lots it took them from, keeping each lot's expiry
     *       (restored points of an expired lot go at the next sweep). A partial reversal restores
     *       in reverse allocation order, so the lot spent last is refilled first; no lot gets
     *       back more than it gave minus what earlier reversals already restored to it.</li>
     *   <li>EARN: takes back the points of the earn's lot that are still there; points already
     *       spent cannot be clawed back. Active holds do not protect those points: a reversal is
     *       a correction and wins, and a hold left without cover fails at capture.</li>
     *   <li>Anything else is NOT_REVERSIBLE with reversible 0: expiry, transfers, reversals and
     *       adjustments are corrected by other means.</li>
     * </ul>
     * Across all its reversals a transaction never gives back more than its own points.
     *
     * @param ctx what storage found for {@code command.transactionId()}, for this member
     * @param ids source of fresh ids: one, the entry id
     */
    public static ReversalOutcome reverse(MemberState state, ReversalCommand command, ReversalContext ctx, Instant now,
                                       Supplier<UUID> ids) {
        requireArguments(state, command, now, ids);
        Objects.requireNonNull(ctx, "ctx");
        Optional<Refusal> invalid = validateReversal(command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        LedgerEntry original = ctx.original();
        // Another member's transaction is reported as not found: its existence is not this caller's business.
        if (original == null || !original.memberId().equals(state.memberId())) {
            return new Refused(new Refusal.TransactionNotFound(command.transactionId()));
        }
        if (!original.entryId().equals(command.transactionId())) {
            throw new IllegalArgumentException("reversal context is for another transaction");
        }
        long outstanding = Math.subtractExact(Math.absExact(original.points()), ctx.alreadyReversed());
        if (outstanding < 0) {
            throw new IllegalArgumentException("earlier reversals exceed the transaction");
        }
        return switch (original.kind()) {
            case EARN -> reverseEarn(state, command, ctx, outstanding, now, ids);
            case REDEEM -> reverseRedeem(state, command, ctx, outstanding, now, ids);
            case EXPIRE, TRANSFER_IN, TRANSFER_OUT, REVERSAL, ADJUSTMENT, RETURN ->
                    new Refused(new Refusal.NotReversible(requested(command, outstanding), 0L));
        };
    }

    /**
     * Moves points from {@code from} to {@code to} atomically: the sender's lots are spent in
     * {@link SpendingOrder} (TRANSFER_OUT), and the receiver gets one new lot per sender
     * allocation with the same type, earnedAt and expiresAt (TRANSFER_IN), so a transfer never
     * extends or shortens the life of points. Both entries carry the command's reference.
     *
     * @param to  the receiver, which must exist: an unknown receiver is the caller's
     *            MEMBER_NOT_FOUND; may be null only when validation fails first
     * @param ids source of fresh ids: the sender's entry id, the receiver's entry id, then one lot
     *            id per allocation in order
     */
    public static TransferOutcome transfer(MemberState from, MemberState to, TransferCommand command, Instant now,
                                        Supplier<UUID> ids) {
        requireArguments(from, command, now, ids);
        Optional<Refusal> invalid = validateTransfer(from.memberId(), command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        Objects.requireNonNull(to, "to");
        if (!to.memberId().value().equals(command.toMemberId())) {
            throw new IllegalArgumentException("receiver state belongs to another member");
        }
        long available = from.available(now);
        if (command.points() > available) {
            return new Refused(new Refusal.InsufficientPoints(command.points(), available));
        }
        AccountState receiverAfter;
        try {
            receiverAfter = to.account().advance(command.points());
        } catch (ArithmeticException overflow) {
            return new Refused(new Refusal.BalanceOverflow(to.account().balance(), command.points()));
        }
        Spend spend = spend(from, command.points(), now);
        AccountState senderAfter = debit(from.account(), command.points());
        LedgerEntry out = entry(ids, senderAfter, EntryKind.TRANSFER_OUT, Math.negateExact(command.points()), null,
                command.reference(), command.description(), now);
        LedgerEntry in = entry(ids, receiverAfter, EntryKind.TRANSFER_IN, command.points(), null,
                command.reference(), command.description(), now);
        List<Lot> newLots = new ArrayList<>();
        for (int i = 0; i < spend.allocations().size(); i++) {
            Allocation allocation = spend.allocations().get(i);
            Lot source = spend.changedLots().get(i);
            UUID lotId = Objects.requireNonNull(ids.get(), "lot id");
            newLots.add(new Lot(lotId, to.memberId(), source.pointType(), allocation.points(), allocation.points(),
                    source.earnedAt(), source.expiresAt()));
        }
        return new TransferOutcome.Transferred(out, spend.allocations(), spend.changedLots(), senderAfter, in, newLots, receiverAfter);
    }

    /**
     * An operator's correction: an ADJUSTMENT entry carrying the reason. A credit is a new lot
     * of the command's type, expiring by its policy from now, exactly as an earn would make it;
     * a debit takes points from the lots in {@link SpendingOrder}, as a redeem would, so it
     * cannot take points that active holds reserve. Checks: points (non-zero, bounded either
     * way), reference, reason (required), then for a credit the point type.
     *
     * @param ids source of fresh ids: the entry id, then (credit) the lot id
     */
    public static AdjustOutcome adjust(MemberState state, AdjustCommand command, Instant now,
                                       dev.loyalty.core.PointTypeCatalog catalog, Supplier<UUID> ids) {
        requireArguments(state, command, now, ids);
        Optional<Refusal> invalid = validateAdjustment(command, catalog);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        if (command.points() > 0) {
            var credit = dev.loyalty.core.earn.EarnRule.apply(state.account(), new dev.loyalty.core.earn.EarnCommand(
                    state.memberId().value(), command.points(), command.type(), command.reference(), null, null),
                    now, catalog, ids);
            return switch (credit) {
                case dev.loyalty.core.earn.EarnOutcome.Earned e -> new AdjustOutcome.Credited(
                        asAdjustment(e.entry(), command.reason()), e.lot(), e.after());
                case dev.loyalty.core.earn.EarnOutcome.Refused r -> new Refused(r.refusal());
            };
        }
        long points = Math.negateExact(command.points());
        long available = state.available(now);
        if (points > available) {
            return new Refused(new Refusal.InsufficientPoints(points, available));
        }
        Spend spend = spend(state, points, now);
        AccountState after = debit(state.account(), points);
        LedgerEntry entry = entry(ids, after, EntryKind.ADJUSTMENT, command.points(), null, command.reference(),
                command.reason(), now);
        return new AdjustOutcome.Debited(entry, spend.allocations(), spend.changedLots(), after);
    }

    public static Optional<Refusal> validateAdjustment(AdjustCommand command, dev.loyalty.core.PointTypeCatalog catalog) {
        Objects.requireNonNull(command, "command");
        if (command.points() == 0 || command.points() == Long.MIN_VALUE
                || Math.abs(command.points()) > Points.MAX_PER_OPERATION) {
            return Optional.of(new Refusal.InvalidAdjustmentPoints(command.points()));
        }
        Optional<Refusal> invalid = checkReference(command.reference());
        if (invalid.isPresent()) {
            return invalid;
        }
        if (command.reason() == null || command.reason().isBlank() || !Limits.isValidDescription(command.reason())) {
            return Optional.of(new Refusal.InvalidText("reason", command.reason() == null ? 0 : command.reason().length(), true));
        }
        if (command.points() > 0 && catalog.find(command.type()).isEmpty()) {
            return Optional.of(new Refusal.UnknownPointType(command.type()));
        }
        return Optional.empty();
    }

    private static LedgerEntry asAdjustment(LedgerEntry e, String reason) {
        return new LedgerEntry(e.entryId(), e.memberId(), e.sequence(), EntryKind.ADJUSTMENT, e.points(), e.balanceAfter(),
                e.pointType(), e.reference(), reason, e.occurredAt(), e.recordedAt());
    }

    /** What a closing writes on its forfeiture entry, before the operator's reason. */
    public static final String CLOSE_DESCRIPTION_PREFIX = "account closed: ";

    /**
     * An account that is closed takes no more writes (reads still work). Every write checks this
     * after the reference rule, so a retry of a write made before the closing still gets its
     * original answer.
     */
    public static Optional<Refusal> requireOpen(MemberId member, Instant closedAt) {
        return closedAt == null ? Optional.empty() : Optional.of(new Refusal.AccountClosed(member, closedAt));
    }

    /**
     * Closes the member's account: every point left in any lot (spendable, expired but not yet
     * swept, or pending) is forfeited in ONE ADJUSTMENT entry whose description says so, and
     * every active hold is voided. Nothing is owed afterwards; the account stays readable.
     *
     * @param ids source of fresh ids: the entry id, drawn only if there is something to forfeit
     */
    public static CloseOutcome close(MemberState state, CloseCommand command, Instant now, Supplier<UUID> ids) {
        requireArguments(state, command, now, ids);
        Optional<Refusal> invalid = validateClose(command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        List<Hold> voided = new ArrayList<>();
        for (Hold hold : state.holds()) {
            if (hold.isActiveAt(now)) {
                voided.add(hold.withStatus(HoldStatus.VOIDED));
            }
        }
        List<Lot> left = new ArrayList<>();
        for (Lot lot : state.lots()) {
            if (lot.remainingPoints() > 0) {
                left.add(lot);
            }
        }
        left.sort(SpendingOrder.ORDER);
        List<Allocation> allocations = new ArrayList<>();
        List<Lot> changed = new ArrayList<>();
        long total = 0;
        for (Lot lot : left) {
            allocations.add(new Allocation(lot.lotId(), lot.remainingPoints()));
            changed.add(lot.withRemaining(0L));
            total = Math.addExact(total, lot.remainingPoints());
        }
        if (total == 0) {
            return new CloseOutcome.Closed(null, List.of(), List.of(), state.account(), 0, voided, now);
        }
        AccountState after = debit(state.account(), total);
        LedgerEntry entry = entry(ids, after, EntryKind.ADJUSTMENT, Math.negateExact(total), null, command.reference(),
                CLOSE_DESCRIPTION_PREFIX + command.reason(), now);
        return new CloseOutcome.Closed(entry, allocations, changed, after, total, voided, now);
    }

    public static Optional<Refusal> validateClose(CloseCommand command) {
        Objects.requireNonNull(command, "command");
        Optional<Refusal> invalid = checkReference(command.reference());
        if (invalid.isPresent()) {
            return invalid;
        }
        String reason = command.reason();
        int room = Limits.DESCRIPTION_MAX_LENGTH - CLOSE_DESCRIPTION_PREFIX.length();
        if (reason == null || reason.isBlank() || reason.length() > room || !Limits.isValidDescription(reason)) {
            return Optional.of(new Refusal.InvalidText("reason", reason == null ? 0 : reason.length(), true));
        }
        return Optional.empty();
    }

    /**
     * The member's HELD holds whose time has run out, as EXPIRED: they reserve nothing any more
     * (every rule already ignores them), and whichever write touches the member first, or the
     * sweep, stores them so. The one definition of "a hold is released by time".
     */
    public static List<Hold> expiredHolds(MemberState state, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        List<Hold> released = new ArrayList<>();
        for (Hold hold : state.holds()) {
            if (hold.status() == HoldStatus.HELD && !hold.isActiveAt(now)) {
                released.add(hold.withStatus(HoldStatus.EXPIRED));
            }
        }
        return released;
    }

    /** The reference of the EXPIRE entry a sweep at {@code now} writes: one per member per sweep second. */
    public static String expireReference(Instant now) {
        return EXPIRE_REFERENCE_PREFIX + now.toEpochMilli();
    }

    /**
     * The sweep for one member: every lot with remaining points whose expiry has passed at
     * {@code now} is zeroed in ONE EXPIRE entry ({@link #expireReference}, {@link #EXPIRE_DESCRIPTION}), one
     * allocation per lot in spending order. Holds whose time has run out are released as EXPIRED;
     * active holds are left alone, even if the expiry leaves them without cover.
     *
     * @param ids source of fresh ids: one, the entry id, drawn only if there is something to expire
     */
    public static ExpireOutcome expire(MemberState state, Instant now, Supplier<UUID> ids) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(ids, "ids");
        List<Hold> released = expiredHolds(state, now);
        List<Lot> expiring = new ArrayList<>();
        for (Lot lot : state.lots()) {
            if (lot.remainingPoints() > 0 && lot.isExpiredAt(now)) {
                expiring.add(lot);
            }
        }
        if (expiring.isEmpty()) {
            return new ExpireOutcome.NothingToExpire(released);
        }
        expiring.sort(SpendingOrder.ORDER);
        List<Allocation> allocations = new ArrayList<>();
        List<Lot> changed = new ArrayList<>();
        long total = 0;
        for (Lot lot : expiring) {
            allocations.add(new Allocation(lot.lotId(), lot.remainingPoints()));
            changed.add(lot.withRemaining(0L));
            total = Math.addExact(total, lot.remainingPoints());
        }
        AccountState after = debit(state.account(), total);
        LedgerEntry entry = entry(ids, after, EntryKind.EXPIRE, Math.negateExact(total), null,
                expireReference(now), EXPIRE_DESCRIPTION, now);
        return new ExpireOutcome.Expired(entry, allocations, changed, after, released);
    }

    // --- reversal, by kind ---

    private static ReversalOutcome reverseEarn(MemberState state, ReversalCommand command, ReversalContext ctx,
                                            long outstanding, Instant now, Supplier<UUID> ids) {
        LedgerEntry original = ctx.original();
        if (ctx.originalAllocations().size() != 1
                || ctx.originalAllocations().get(0).points() != original.points()) {
            throw new IllegalArgumentException("an earn's context must name its one lot with the earn's points");
        }
        UUID lotId = ctx.originalAllocations().get(0).lotId();
        Lot lot = state.lot(lotId).orElseThrow(
                () -> new IllegalArgumentException("the earn's lot " + lotId + " is not in the state"));
        long reversible = Math.min(lot.remainingPoints(), outstanding);
        long points = command.points() == null ? reversible : command.points();
        if (points == 0 || points > reversible) {
            return new Refused(new Refusal.NotReversible(requested(command, outstanding), reversible));
        }
        AccountState after = debit(state.account(), points);
        LedgerEntry entry = entry(ids, after, EntryKind.REVERSAL, Math.negateExact(points), original.pointType(),
                command.reference(), command.reason(), now);
        Lot changed = lot.withRemaining(Math.subtractExact(lot.remainingPoints(), points));
        return new ReversalOutcome.Reversed(entry, List.of(new Allocation(lotId, points)), List.of(changed), after);
    }

    private static ReversalOutcome reverseRedeem(MemberState state, ReversalCommand command, ReversalContext ctx,
                                              long outstanding, Instant now, Supplier<UUID> ids) {
        List<Allocation> spent = ctx.originalAllocations();
        Map<UUID, Long> restoredByLot = ctx.alreadyRestoredByLot();
        long spentTotal = 0;
        long restorable = 0;
        Set<UUID> seen = new HashSet<>();
        for (Allocation allocation : spent) {
            if (!seen.add(allocation.lotId())) {
                throw new IllegalArgumentException("lot " + allocation.lotId() + " appears twice in the redeem");
            }
            spentTotal = Math.addExact(spentTotal, allocation.points());
            long room = Math.subtractExact(allocation.points(), restoredByLot.getOrDefault(allocation.lotId(), 0L));
            if (room < 0) {
                throw new IllegalArgumentException("lot " + allocation.lotId() + " was restored more than it gave");
            }
            restorable = Math.addExact(restorable, room);
        }
        if (spentTotal != Math.absExact(ctx.original().points())) {
            throw new IllegalArgumentException("the redeem's allocations do not add up to its points");
        }
        // Equal when storage is consistent; the smaller one is the safe bound either way.
        long reversible = Math.min(outstanding, restorable);
        long points = command.points() == null ? reversible : command.points();
        if (points == 0 || points > reversible) {
            return new Refused(new Refusal.NotReversible(requested(command, outstanding), reversible));
        }
        AccountState after;
        try {
            after = state.account().advance(points);
        } catch (ArithmeticException overflow) {
            return new Refused(new Refusal.BalanceOverflow(state.account().balance(), points));
        }
        List<Allocation> restored = new ArrayList<>();
        List<Lot> changed = new ArrayList<>();
        long left = points;
        // Reverse order: undo the spend from its end, so a partial reversal refills the
        // latest-expiring lot it used first, the opposite of how the spend drained them.
        for (int i = spent.size() - 1; i >= 0 && left > 0; i--) {
            Allocation allocation = spent.get(i);
            long room = allocation.points() - restoredByLot.getOrDefault(allocation.lotId(), 0L);
            long give = Math.min(left, room);
            if (give == 0) {
                continue;
            }
            Lot lot = state.lot(allocation.lotId()).orElseThrow(() -> new IllegalArgumentException(
                    "the redeem's lot " + allocation.lotId() + " is not in the state"));
            long remaining = Math.addExact(lot.remainingPoints(), give);
            if (remaining > lot.originalPoints()) {
                throw new IllegalStateException("lot " + lot.lotId() + " would hold more than it was created with");
            }
            restored.add(new Allocation(lot.lotId(), give));
            changed.add(lot.withRemaining(remaining));
            left = Math.subtractExact(left, give);
        }
        LedgerEntry entry = entry(ids, after, EntryKind.REVERSAL, points, ctx.original().pointType(),
                command.reference(), command.reason(), now);
        return new ReversalOutcome.Reversed(entry, restored, changed, after);
    }

    /** What a NOT_REVERSIBLE reports as asked: the points, or for "all" what is not yet reversed. */
    private static long requested(ReversalCommand command, long outstanding) {
        return command.points() == null ? outstanding : command.points();
    }

    // --- shared steps ---

    private record Spend(List<Allocation> allocations, List<Lot> changedLots) {
    }

    /** Allocates in spending order; the caller has already checked the points are available. */
    private static Spend spend(MemberState state, long points, Instant now) {
        AllocationResult result = SpendingOrder.allocate(state.lots(), points, now);
        if (!(result instanceof Allocated allocated)) {
            throw new IllegalStateException("available points checked but lots cannot pay " + points);
        }
        List<Lot> changed = new ArrayList<>();
        for (Allocation allocation : allocated.allocations()) {
            Lot lot = state.lot(allocation.lotId()).orElseThrow();
            changed.add(lot.withRemaining(Math.subtractExact(lot.remainingPoints(), allocation.points())));
        }
        return new Spend(allocated.allocations(), changed);
    }

    /**
     * The account after taking {@code points} away. The lots paying for it are part of the
     * balance, so a negative result means the stored state contradicts itself: fail loudly
     * rather than write a negative balance.
     */
    private static AccountState debit(AccountState account, long points) {
        AccountState after = account.advance(Math.negateExact(points));
        if (after.balance() < 0) {
            throw new IllegalStateException("balance " + account.balance() + " cannot pay " + points
                    + ": the account and its lots disagree");
        }
        return after;
    }

    /** Every entry is recorded and takes effect at {@code now}; its sequence is the version after it. */
    private static LedgerEntry entry(Supplier<UUID> ids, AccountState after, EntryKind kind, long points,
                                     String pointType, String reference, String description, Instant now) {
        UUID entryId = Objects.requireNonNull(ids.get(), "entry id");
        return new LedgerEntry(entryId, after.memberId(), after.version(), kind, points, after.balance(), pointType,
                reference, description, now, now);
    }

    private static long ttlSecondsOf(HoldCommand command) {
        return command.ttlSeconds() == null ? Hold.HOLD_TTL_SECONDS_DEFAULT : command.ttlSeconds();
    }

    private static Optional<Refusal> checkPoints(long points) {
        return Points.isValidAmount(points) ? Optional.empty() : Optional.of(new Refusal.InvalidPoints(points));
    }

    private static Optional<Refusal> checkReference(String reference) {
        return Limits.isValidReference(reference) ? Optional.empty() : Optional.of(new Refusal.InvalidReference(reference));
    }

    private static Optional<Refusal> checkDescription(String description) {
        return Limits.isValidDescription(description) ? Optional.empty()
                : Optional.of(new Refusal.InvalidText("description", description.length(), false));
    }

    @SafeVarargs
    private static Optional<Refusal> firstOf(Optional<Refusal>... checks) {
        for (Optional<Refusal> check : checks) {
            if (check.isPresent()) {
                return check;
            }
        }
        return Optional.empty();
    }

    private static void requireArguments(MemberState state, Object command, Instant now, Supplier<UUID> ids) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(ids, "ids");
    }
}
