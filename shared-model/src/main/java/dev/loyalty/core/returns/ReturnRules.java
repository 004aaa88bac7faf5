package dev.loyalty.core.returns;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Limits;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.rules.RulesEngine;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.AllocationResult;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.SpendingOrder;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/** The return rule; see the package documentation for what it promises. */
public final class ReturnRules {

    private ReturnRules() {
    }

    /** The command's own fields, in precedence order; empty if it may be applied. */
    public static Optional<Refusal> validate(ReturnCommand c, Instant now) {
        Objects.requireNonNull(c, "command");
        Objects.requireNonNull(now, "now");
        if (!MemberId.isValid(c.memberId())) {
            return Optional.of(new Refusal.InvalidMemberId("memberId", c.memberId()));
        }
        if (!Limits.isValidReference(c.reference())) {
            return Optional.of(new Refusal.InvalidReference(c.reference()));
        }
        if (!Limits.isValidReference(c.originalReference())) {
            return Optional.of(new Refusal.InvalidEventField("originalReference", "originalReference is required: 1.."
                    + Limits.REFERENCE_MAX_LENGTH + " printable ASCII characters without spaces"));
        }
        if (c.originalReference().equals(c.reference())) {
            return Optional.of(new Refusal.InvalidEventField("originalReference",
                    "originalReference must name the purchase, not the return itself"));
        }
        if (c.amount() != null && (c.amount() < RulesEngine.AMOUNT_MIN || c.amount() > RulesEngine.AMOUNT_MAX)) {
            return Optional.of(new Refusal.InvalidEventField("amount",
                    "amount must be between 1 and 1000000000000 (minor currency units)"));
        }
        if (c.occurredAt() != null) {
            Instant latestAllowed = now.plusSeconds(Limits.FUTURE_SKEW_SECONDS);
            if (c.occurredAt().isAfter(latestAllowed)) {
                return Optional.of(new Refusal.OccurredInFuture(c.occurredAt(), latestAllowed));
            }
            if (c.occurredAt().isBefore(Limits.OCCURRED_AT_MIN)) {
                return Optional.of(new Refusal.OccurredTooLongAgo(c.occurredAt(), Limits.OCCURRED_AT_MIN));
            }
        }
        if (!Limits.isValidDescription(c.description())) {
            return Optional.of(new Refusal.InvalidText("description", c.description().length(), false));
        }
        return Optional.empty();
    }

    /**
     * What an award owes back in total once {@code returnedSoFar} of {@code purchaseAmount} is
     * returned: {@code floor(points * returnedSoFar / purchaseAmount)}, exactly (the product
     * can pass 64 bits: points up to 10^9 times amounts up to 10^12).
     */
    public static long dueSoFar(long points, long returnedSoFar, long purchaseAmount) {
        if (points < 0 || returnedSoFar < 0 || purchaseAmount < 1 || returnedSoFar > purchaseAmount) {
            throw new IllegalArgumentException("dueSoFar outside its domain");
        }
        return BigInteger.valueOf(points).multiply(BigInteger.valueOf(returnedSoFar))
                .divide(BigInteger.valueOf(purchaseAmount)).longValueExact();
    }

    /**
     * Applies a return of {@code purchase} (empty: no such business event) to the member's
     * state at {@code now}.
     *
     * @param state    the member's account, every lot with points left (the awards' own lots
     *                 among them when they have any) and its HELD holds
     * @param ids      fresh ids: one per RETURN entry written
     */
    public static ReturnOutcome apply(MemberState state, ReturnCommand command, Optional<Purchase> purchase, Instant now,
                                      Supplier<UUID> ids) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(purchase, "purchase");
        Objects.requireNonNull(ids, "ids");
        Optional<Refusal> invalid = validate(command, now);
        if (invalid.isPresent()) {
            return new ReturnOutcome.Refused(invalid.get());
        }
        if (!state.memberId().value().equals(command.memberId())) {
            throw new IllegalArgumentException("the state is another member's");
        }
        if (purchase.isEmpty()) {
            return new ReturnOutcome.Refused(new Refusal.EventNotFound(command.originalReference()));
        }
        Purchase p = purchase.get();
        long returnable = p.returnable();
        long amount = command.amount() == null ? returnable : command.amount();
        if (amount == 0 || amount > returnable) {
            return new ReturnOutcome.Refused(new Refusal.ReturnExceedsPurchase(amount, returnable));
        }
        long soFar = Math.addExact(p.returnedSoFar(), amount);
        long whole = p.purchaseAmount();

        // The working copy of the lots: every take below reads and updates it.
        Map<UUID, Lot> lots = new LinkedHashMap<>();
        state.lots().forEach(l -> lots.put(l.lotId(), l));
        Map<UUID, Lot> changed = new LinkedHashMap<>();
        int n = p.awards().size();
        long[] due = new long[n];
        long[] own = new long[n];
        long[] others = new long[n];
        List<List<Allocation>> allocations = new ArrayList<>();
        // 1. Every award from its own lot (pending or unspent; an expired lot is the sweep's).
        for (int i = 0; i < n; i++) {
            PurchaseAward award = p.awards().get(i);
            // What the formula owes in total now, less what earlier returns gave back; never past
            // what reversals left of the award (they already took their part back).
            long owed = Math.subtractExact(dueSoFar(award.points(), soFar, whole), award.returnedBefore());
            long room = award.points() - award.reversed() - award.returnedBefore();
            due[i] = Math.max(0L, Math.min(owed, room));
            List<Allocation> taken = new ArrayList<>();
            Lot lot = lots.get(award.lotId());
            if (lot != null && due[i] > 0 && lot.remainingPoints() > 0 && !lot.isExpiredAt(now)) {
                own[i] = Math.min(due[i], lot.remainingPoints());
                take(lots, changed, lot, own[i]);
                taken.add(new Allocation(lot.lotId(), own[i]));
            }
            allocations.add(taken);
        }
        // 2. The rest from the member's other available points, in spending order.
        long budget = Math.max(0L, Math.subtractExact(SpendingOrder.available(List.copyOf(lots.values()), now),
                state.held(now)));
        for (int i = 0; i < n && budget > 0; i++) {
            long rest = due[i] - own[i];
            long take = Math.min(rest, budget);
            if (take == 0) {
                continue;
            }
            if (!(SpendingOrder.allocate(List.copyOf(lots.values()), take, now)
                    instanceof AllocationResult.Allocated allocated)) {
                throw new IllegalStateException("available points checked but lots cannot pay " + take);
            }
            for (Allocation a : allocated.allocations()) {
                take(lots, changed, lots.get(a.lotId()), a.points());
                allocations.get(i).add(a);
            }
            others[i] = take;
            budget = Math.subtractExact(budget, take);
        }
        // 3. One RETURN entry per award that gave anything back; the rest is its shortfall.
        Instant occurredAt = command.occurredAt() == null ? now : command.occurredAt();
        AccountState running = state.account();
        List<AwardReturn> awards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PurchaseAward award = p.awards().get(i);
            long taken = own[i] + others[i];
            LedgerEntry entry = null;
            if (taken > 0) {
                AccountState after = running.advance(Math.negateExact(taken));
                if (after.balance() < 0) {
                    throw new IllegalStateException("the account and its lots disagree: balance "
                            + running.balance() + " cannot give back " + taken);
                }
                entry = new LedgerEntry(Objects.requireNonNull(ids.get(), "entry id"), after.memberId(), after.version(),
                        EntryKind.RETURN, -taken, after.balance(), award.pointType(), command.reference(),
                        command.description(), occurredAt, now);
                running = after;
            }
            awards.add(new AwardReturn(award, due[i], own[i], others[i], due[i] - taken, entry, allocations.get(i)));
        }
        return new ReturnOutcome.Returned(awards, List.copyOf(changed.values()), running, amount, soFar, occurredAt);
    }

    private static void take(Map<UUID, Lot> lots, Map<UUID, Lot> changed, Lot lot, long points) {
        Lot after = lot.withRemaining(Math.subtractExact(lot.remainingPoints(), points));
        lots.put(lot.lotId(), after);
        changed.put(lot.lotId(), after);
    }
}
