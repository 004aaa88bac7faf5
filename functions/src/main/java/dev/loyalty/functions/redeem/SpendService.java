package dev.loyalty.functions.redeem;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.ReversalContext;
import dev.loyalty.core.spend.SpendOutcome;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Spending in one transaction each: lock the member's account row (both rows, in member id
 * order, for a transfer), refuse a second application of the same reference, load the state,
 * let the core decide, write what it decided. A refusal rolls the transaction back, so bad
 * input changes nothing.
 *
 * <p>Concurrency: a row lock on the account ({@code SELECT ... FOR UPDATE}). Writers to one
 * member queue on it; the core always decides on the state they see after the previous
 * writer committed, so no interleaving can overdraw. Fixed lock order prevents deadlocks.
 */
@ApplicationScoped
public class SpendService {
    private final Db db;
    private final LedgerStore store;
    private final Clock clock;

    public SpendService(Db db, LedgerStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    public SpendResult redeem(MemberId member, RedeemCommand command) {
        Optional<SpendOutcome.Rejected> invalid = SpendRules.validateRedeem(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        return write(member, tx -> {
            Optional<LedgerEntry> prior = store.findByReference(tx, member, EntryKind.REDEEM, command.reference());
            if (prior.isPresent()) {
                return prior.get().points() == -command.points()
                        ? redeemed(prior.get(), store.allocations(tx, member, prior.get().entryId()), true)
                        : referenceUsed(prior.get().entryId());
            }
            if (store.holdByReference(tx, member, command.reference()).isPresent()) {
                return referenceUsed(null);
            }
            Instant now = clock.instant();
            MemberState state = load(tx, member, now, Set.of(), null);
            return switch (SpendRules.redeem(state, command, now, UUID::randomUUID)) {
                case SpendOutcome.Redeemed r -> {
                    writeEntry(tx, state.account(), r.entry(), r.allocations(), r.changedLots(), r.after(), null, now);
                    yield redeemed(r.entry(), r.allocations(), false);
                }
                case SpendOutcome.Rejected r -> throw new Refusal(r);
                default -> throw new IllegalStateException("unexpected outcome");
            };
        });
    }

    public SpendResult hold(MemberId member, HoldCommand command) {
        Optional<SpendOutcome.Rejected> invalid = SpendRules.validateHold(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        return write(member, tx -> {
            Instant now = clock.instant();
            Optional<Hold> prior = store.holdByReference(tx, member, command.reference());
            if (prior.isPresent()) {
                Hold h = prior.get();
                return h.points() == command.points()
                        ? new SpendResult.Done(201, new Receipts.HoldPlaced(h.holdId(), h.points(), h.status().name(),
                        h.expiresAt(), load(tx, member, now, Set.of(), null).available(now)), true)
                        : referenceUsed(null);
            }
            if (store.findByReference(tx, member, EntryKind.REDEEM, command.reference()).isPresent()) {
                return referenceUsed(null);
            }
            MemberState state = load(tx, member, now, Set.of(), null);
            return switch (SpendRules.placeHold(state, command, now, UUID::randomUUID)) {
                case SpendOutcome.HoldPlaced h -> {
                    store.insertHold(tx, h.hold(), now);
                    yield new SpendResult.Done(201, new Receipts.HoldPlaced(h.hold().holdId(), h.hold().points(),
                            h.hold().status().name(), h.hold().expiresAt(), h.availableAfter()), false);
                }
                case SpendOutcome.Rejected r -> throw new Refusal(r);
                default -> throw new IllegalStateException("unexpected outcome");
            };
        });
    }

    /**
     * A hold moves out of HELD once: capturing or voiding it again is HOLD_NOT_ACTIVE, which is
     * also what stops a second capture when the request's idempotency record is gone.
     */
    public SpendResult capture(MemberId member, CaptureCommand command) {
        Optional<SpendOutcome.Rejected> invalid = SpendRules.validateCapture(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        return write(member, tx -> {
            Instant now = clock.instant();
            Optional<Hold> target = store.hold(tx, member, command.holdId());
            MemberState state = load(tx, member, now, Set.of(), target.orElse(null));
            return switch (SpendRules.capture(state, command, now, UUID::randomUUID)) {
                case SpendOutcome.Captured c -> {
                    writeEntry(tx, state.account(), c.entry(), c.allocations(), c.changedLots(), c.after(), null, now);
                    store.updateHoldStatus(tx, c.hold(), c.entry().entryId(), now);
                    yield new SpendResult.Done(201, new Receipts.Transaction(c.entry().entryId(), -c.entry().points(),
                            c.after().balance()), false);
                }
                case SpendOutcome.Rejected r -> throw new Refusal(r);
                default -> throw new IllegalStateException("unexpected outcome");
            };
        });
    }

    public SpendResult voidHold(MemberId member, VoidCommand command) {
        return write(member, tx -> {
            Instant now = clock.instant();
            Optional<Hold> target = store.hold(tx, member, command.holdId());
            MemberState state = load(tx, member, now, Set.of(), target.orElse(null));
            return switch (SpendRules.voidHold(state, command, now)) {
                case SpendOutcome.Voided v -> {
                    store.updateHoldStatus(tx, v.hold(), null, now);
                    yield new SpendResult.Done(200, new Receipts.Voided(v.hold().holdId(), v.hold().status().name(),
                            v.availableAfter()), false);
                }
                case SpendOutcome.Rejected r -> throw new Refusal(r);
                default -> throw new IllegalStateException("unexpected outcome");
            };
        });
    }

    public SpendResult reverse(MemberId member, ReversalCommand command) {
        Optional<SpendOutcome.Rejected> invalid = SpendRules.validateReversal(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        return write(member, tx -> {
            Instant now = clock.instant();
            Optional<LedgerEntry> prior = store.findByReference(tx, member, EntryKind.REVERSAL, command.reference());
            if (prior.isPresent()) {
                return new SpendResult.Done(201, new Receipts.Transaction(prior.get().entryId(),
                        Math.abs(prior.get().points()), prior.get().balanceAfter()), true);
            }
            LedgerEntry original = store.entry(tx, member, command.transactionId()).orElse(null);
            List<Allocation> originalAllocations = List.of();
            if (original != null && original.kind() == EntryKind.REDEEM) {
                originalAllocations = store.allocations(tx, member, original.entryId());
            } else if (original != null && original.kind() == EntryKind.EARN) {
                Lot lot = store.lotOfEntry(tx, member, original.entryId()).orElseThrow();
                originalAllocations = List.of(new Allocation(lot.lotId(), original.points()));
            }
            ReversalContext context = original == null
                    ? new ReversalContext(null, List.of(), Map.of(), 0)
                    : new ReversalContext(original, originalAllocations, store.restoredByLot(tx, member, original.entryId()),
                    store.alreadyReversed(tx, member, original.entryId()));
            MemberState state = load(tx, member, now, originalAllocations.stream().map(Allocation::lotId).toList(), null);
            return switch (SpendRules.reverse(state, command, context, now, UUID::randomUUID)) {
                case SpendOutcome.Reversed r -> {
                    writeEntry(tx, state.account(), r.entry(), r.allocations(), r.changedLots(), r.after(),
                            command.transactionId(), now);
                    yield new SpendResult.Done(201, new Receipts.Transaction(r.entry().entryId(),
                            Math.abs(r.entry().points()), r.after().balance()), false);
                }
                case SpendOutcome.Rejected r -> throw new Refusal(r);
                default -> throw new IllegalStateException("unexpected outcome");
            };
        });
    }

    public SpendResult transfer(MemberId from, TransferCommand command) {
        // Bad input is refused before any lock or read: it changes nothing.
        Optional<SpendOutcome.Rejected> invalid = SpendRules.validateTransfer(from, command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        MemberId to = new MemberId(command.toMemberId());
        return refusing(() -> db.inTransaction(tx -> {
            Instant now = clock.instant();
            // Fixed lock order (member id) so opposite transfers cannot deadlock.
            boolean fromFirst = from.value().compareTo(to.value()) < 0;
            Optional<AccountState> first = store.lockAccount(tx, fromFirst ? from : to);
            Optional<AccountState> second = store.lockAccount(tx, fromFirst ? to : from);
            Optional<AccountState> sender = fromFirst ? first : second;
            Optional<AccountState> receiver = fromFirst ? second : first;
            if (sender.isEmpty()) {
                return memberNotFound(from);
            }
            Optional<LedgerEntry> prior = store.findByReference(tx, from, EntryKind.TRANSFER_OUT, command.reference());
            if (prior.isPresent()) {
                return prior.get().points() == -command.points()
                        ? new SpendResult.Done(201, new Receipts.Transaction(prior.get().entryId(), command.points(),
                        prior.get().balanceAfter()), true)
                        : referenceUsed(prior.get().entryId());
            }
            if (receiver.isEmpty()) {
                return memberNotFound(to);
            }
            MemberState fromState = load(tx, from, now, Set.of(), null);
            MemberState toState = load(tx, to, now, Set.of(), null);
            return switch (SpendRules.transfer(fromState, toState, command, now, UUID::randomUUID)) {
                case SpendOutcome.Transferred t -> {
                    writeEntry(tx, fromState.account(), t.out(), t.outAllocations(), t.changedSenderLots(), t.senderAfter(),
                            null, now);
                    store.insertEntry(tx, t.in());
                    for (Lot lot : t.newReceiverLots()) {
                        store.insertLot(tx, lot, t.in().entryId());
                    }
                    store.updateAccount(tx, toState.account(), t.receiverAfter(), now);
                    yield new SpendResult.Done(201, new Receipts.Transaction(t.out().entryId(), command.points(),
                            t.senderAfter().balance()), false);
                }
                case SpendOutcome.Rejected r -> throw new Refusal(r);
                default -> throw new IllegalStateException("unexpected outcome");
            };
        }));
    }

    /**
     * The member's state for the core: open lots (plus {@code extraLots}, e.g. spent lots a
     * reversal restores into) and live holds. Holds past their TTL are released here, by
     * whichever operation touches the member first, so nothing waits for the sweep.
     */
    MemberState load(Tx tx, MemberId member, Instant now, Collection<UUID> extraLots, Hold target) {
        LedgerStore.Snapshot snapshot = store.snapshot(tx, member).orElseThrow();
        AccountState account = snapshot.account();
        Map<UUID, Lot> lots = new LinkedHashMap<>();
        snapshot.openLots().forEach(l -> lots.put(l.lotId(), l));
        List<UUID> missing = extraLots.stream().filter(id -> !lots.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            store.lots(tx, member, missing).forEach(l -> lots.put(l.lotId(), l));
        }
        List<Hold> holds = new ArrayList<>();
        for (Hold h : snapshot.heldHolds()) {
            if (!h.isActiveAt(now) && (target == null || !h.holdId().equals(target.holdId()))) {
                store.updateHoldStatus(tx, h.withStatus(HoldStatus.EXPIRED), null, now);
            } else {
                holds.add(h);
            }
        }
        if (target != null && holds.stream().noneMatch(h -> h.holdId().equals(target.holdId()))) {
            holds.add(target);
        }
        return new MemberState(account, new ArrayList<>(lots.values()), holds);
    }

    private void writeEntry(Tx tx, AccountState before, LedgerEntry entry, List<Allocation> allocations,
                            List<Lot> changedLots, AccountState after, UUID reverses, Instant now) {
        store.insertEntry(tx, entry, reverses);
        for (Lot lot : changedLots) {
            store.updateLotRemaining(tx, lot);
        }
        store.insertAllocations(tx, entry.memberId(), entry.entryId(), allocations);
        store.updateAccount(tx, before, after, now);
    }

    private SpendResult write(MemberId member, Function<Tx, SpendResult> work) {
        return refusing(() -> db.inTransaction(tx -> {
            if (store.lockAccount(tx, member).isEmpty()) {
                return memberNotFound(member);
            }
            return work.apply(tx);
        }));
    }

    private static SpendResult refusing(java.util.function.Supplier<SpendResult> work) {
        try {
            return work.get();
        } catch (Refusal r) {
            return new SpendResult.Refused(r.rejection);
        }
    }

    private static SpendResult redeemed(LedgerEntry entry, List<Allocation> allocations, boolean replayed) {
        return new SpendResult.Done(201, new Receipts.Redeemed(entry.entryId(), -entry.points(), entry.balanceAfter(),
                allocations.stream().map(a -> new Receipts.AllocationView(a.lotId(), a.points())).toList()), replayed);
    }

    private static SpendResult memberNotFound(MemberId member) {
        return new SpendResult.Problem(ApiError.MEMBER_NOT_FOUND, "member " + member + " has no account", Map.of());
    }

    private static SpendResult referenceUsed(UUID transactionId) {
        Map<String, Object> extra = transactionId == null ? Map.of() : Map.of("transactionId", transactionId);
        return new SpendResult.Problem(ApiError.REFERENCE_ALREADY_USED,
                "this reference was already used by a different request of this member", extra);
    }

    /** Carries a core refusal out of the transaction so it rolls back (lazy hold releases included). */
    private static final class Refusal extends RuntimeException {
        final SpendOutcome.Rejected rejection;

        Refusal(SpendOutcome.Rejected rejection) {
            super(rejection.message(), null, false, false);
            this.rejection = rejection;
        }
    }
}
