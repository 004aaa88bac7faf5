package dev.loyalty.functions.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.ReferenceRule;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.AdjustOutcome;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.CaptureOutcome;
import dev.loyalty.core.spend.CloseCommand;
import dev.loyalty.core.spend.CloseOutcome;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.HoldOutcome;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.RedeemOutcome;
import dev.loyalty.core.spend.Refused;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.ReversalContext;
import dev.loyalty.core.spend.ReversalOutcome;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.TransferOutcome;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.core.spend.VoidOutcome;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
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
 * Redeem, holds, reversals, transfers and adjustments, one transaction each: lock the
 * member's account row (both rows, in member id order, for a transfer), apply the reference
 * rule (a used reference is a replay of the same request or 409 for another one), load the
 * state, let the core decide, and hand what it decided to the {@link LedgerWriter}. A refusal
 * rolls the transaction back, so bad input changes nothing.
 *
 * <p>Order of checks, the same as the simulation's reference model: input validation (before
 * any lock), the member (MEMBER_NOT_FOUND), the reference rule, then the core's state rules.
 *
 * <p>Concurrency: a row lock on the account ({@code SELECT ... FOR UPDATE}). Writers to one
 * member queue on it; the core always decides on the state they see after the previous
 * writer committed, so no interleaving can overdraw. Fixed lock order prevents deadlocks.
 */
@ApplicationScoped
public class SpendService {
    private final Db db;
    private final LedgerStore store;
    private final LedgerWriter writer;
    private final PointTypeCatalog catalog;
    private final Clock clock;

    private final dev.loyalty.functions.tiers.MemberTiers tiers;

    public SpendService(Db db, LedgerStore store, LedgerWriter writer, PointTypeCatalog catalog, Clock clock,
                        dev.loyalty.functions.tiers.MemberTiers tiers) {
        this.tiers = tiers;
        this.db = db;
        this.store = store;
        this.writer = writer;
        this.catalog = catalog;
        this.clock = clock;
    }

    public SpendResult redeem(MemberId member, RedeemCommand command) {
        Optional<Refusal> invalid = SpendRules.validateRedeem(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        String fingerprint = RequestFingerprint.redeem(command);
        return write(member, tx -> {
            var priorRead = store.findByReference(tx, member, EntryKind.REDEEM, command.reference());
            var holdRead = store.holdByReference(tx, member, command.reference());
            var snapshot = store.snapshot(tx, member);
            return account -> {
                Optional<LedgerStore.StoredEntry> prior = priorRead.get();
                if (prior.isEmpty() && holdRead.get().isPresent()) { // holds and redeems share one reference namespace
                    return refused(ReferenceRule.takenByOther(holdRead.get().get().prior()).refusal());
                }
                switch (ReferenceRule.decide(prior.map(LedgerStore.StoredEntry::prior), fingerprint)) {
                    case ReferenceRule.Replay r -> {
                        LedgerEntry entry = prior.get().entry();
                        var allocations = store.allocations(tx, member, entry.entryId());
                        tx.flush();
                        return redeemed(entry, allocations.get(), true);
                    }
                    case ReferenceRule.Conflict c -> {
                        return refused(c.refusal());
                    }
                    case ReferenceRule.Fresh f -> {
                    }
                }
                Instant now = clock.instant();
                MemberState state = load(tx, snapshot.get(), now, List.of(), null);
                requireOpen(state.memberId(), snapshot.get());
                return switch (SpendRules.redeem(state, command, now, UUID::randomUUID)) {
                    case RedeemOutcome.Redeemed r -> {
                        writer.redeemed(tx, state.account(), r, fingerprint, now);
                        yield redeemed(r.entry(), r.allocations(), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    public SpendResult hold(MemberId member, HoldCommand command) {
        Optional<Refusal> invalid = SpendRules.validateHold(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        String fingerprint = RequestFingerprint.hold(command);
        return write(member, tx -> {
            var priorRead = store.holdByReference(tx, member, command.reference());
            var redeemRead = store.findByReference(tx, member, EntryKind.REDEEM, command.reference());
            var snapshot = store.snapshot(tx, member);
            return account -> {
                Instant now = clock.instant();
                Optional<LedgerStore.StoredHold> prior = priorRead.get();
                if (prior.isEmpty() && redeemRead.get().isPresent()) {
                    return refused(ReferenceRule.takenByOther(redeemRead.get().get().prior()).refusal());
                }
                MemberState state = load(tx, snapshot.get(), now, List.of(), null);
                switch (ReferenceRule.decide(prior.map(LedgerStore.StoredHold::prior), fingerprint)) {
                    case ReferenceRule.Replay r -> {
                        Hold h = prior.get().hold();
                        return new SpendResult.Done(new Receipts.HoldPlaced(h.holdId(), h.points(), h.status().name(),
                                h.expiresAt(), state.available(now)), true);
                    }
                    case ReferenceRule.Conflict c -> {
                        return refused(c.refusal());
                    }
                    case ReferenceRule.Fresh f -> {
                    }
                }
                requireOpen(state.memberId(), snapshot.get());
                return switch (SpendRules.placeHold(state, command, now, UUID::randomUUID)) {
                    case HoldOutcome.HoldPlaced h -> {
                        writer.holdPlaced(tx, h, fingerprint, now);
                        yield new SpendResult.Done(new Receipts.HoldPlaced(h.hold().holdId(), h.hold().points(),
                                h.hold().status().name(), h.hold().expiresAt(), h.availableAfter()), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    /**
     * A hold moves out of HELD once. Capturing a captured hold again is a retry of its capture:
     * the same amount (a capture without points means the whole hold) is answered with the
     * original transaction, another amount is REFERENCE_ALREADY_USED; a voided or expired hold
     * is HOLD_NOT_ACTIVE.
     */
    public SpendResult capture(MemberId member, CaptureCommand command) {
        Optional<Refusal> invalid = SpendRules.validateCapture(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        return write(member, tx -> {
            Tx.Deferred<Optional<LedgerStore.StoredHold>> targetRead = command.holdId() == null ? null
                    : store.hold(tx, member, command.holdId());
            var snapshot = store.snapshot(tx, member);
            return account -> {
                Instant now = clock.instant();
                Optional<LedgerStore.StoredHold> target = targetRead == null ? Optional.empty() : targetRead.get();
                if (target.isPresent() && target.get().hold().status() == HoldStatus.CAPTURED) {
                    LedgerStore.StoredHold h = target.get();
                    String fingerprint = RequestFingerprint.capture(h.hold().holdId(),
                            command.points() == null ? h.hold().points() : command.points());
                    return switch (ReferenceRule.decide(Optional.of(ReferenceRule.Prior.entry(h.capturedEntryId(),
                            h.captureFingerprint())), fingerprint)) {
                        case ReferenceRule.Replay r -> {
                            var entryRead = store.entry(tx, member, h.capturedEntryId());
                            tx.flush();
                            LedgerEntry entry = entryRead.get().orElseThrow();
                            yield new SpendResult.Done(new Receipts.Transaction(entry.entryId(), -entry.points(),
                                    entry.balanceAfter()), true);
                        }
                        case ReferenceRule.Conflict c -> refused(c.refusal());
                        case ReferenceRule.Fresh f -> throw new IllegalStateException("a prior was given");
                    };
                }
                MemberState state = load(tx, snapshot.get(), now, List.of(),
                        target.map(LedgerStore.StoredHold::hold).orElse(null));
                requireOpen(state.memberId(), snapshot.get());
                return switch (SpendRules.capture(state, command, now, UUID::randomUUID)) {
                    case CaptureOutcome.Captured c -> {
                        long resolved = command.points() == null ? c.hold().points() : command.points();
                        writer.captured(tx, state.account(), c, RequestFingerprint.capture(c.hold().holdId(), resolved), now);
                        yield new SpendResult.Done(new Receipts.Transaction(c.entry().entryId(), -c.entry().points(),
                                c.after().balance()), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    /** Voiding a voided hold is the same request again: answered VOIDED with what is available now. */
    public SpendResult voidHold(MemberId member, VoidCommand command) {
        return write(member, tx -> {
            Tx.Deferred<Optional<LedgerStore.StoredHold>> targetRead = command.holdId() == null ? null
                    : store.hold(tx, member, command.holdId());
            var snapshot = store.snapshot(tx, member);
            return account -> {
                Instant now = clock.instant();
                Optional<Hold> target = targetRead == null ? Optional.empty()
                        : targetRead.get().map(LedgerStore.StoredHold::hold);
                MemberState state = load(tx, snapshot.get(), now, List.of(), target.orElse(null));
                if (target.isPresent() && target.get().status() == HoldStatus.VOIDED) {
                    return new SpendResult.Done(new Receipts.Voided(target.get().holdId(), HoldStatus.VOIDED.name(),
                            state.available(now)), true);
                }
                requireOpen(state.memberId(), snapshot.get());
                return switch (SpendRules.voidHold(state, command, now)) {
                    case VoidOutcome.Voided v -> {
                        writer.voided(tx, v, now);
                        yield new SpendResult.Done(new Receipts.Voided(v.hold().holdId(), v.hold().status().name(),
                                v.availableAfter()), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    public SpendResult reverse(MemberId member, ReversalCommand command) {
        Optional<Refusal> invalid = SpendRules.validateReversal(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        String fingerprint = RequestFingerprint.reversal(command);
        return write(member, tx -> {
            // Everything a reversal can need, in the one round trip: the reference, the original,
            // what it moved (its allocations, or the lot it created), and earlier reversals of it.
            var priorRead = store.findByReference(tx, member, EntryKind.REVERSAL, command.reference());
            UUID id = command.transactionId();
            var originalRead = store.entry(tx, member, id);
            var allocationsRead = store.allocations(tx, member, id);
            var lotsRead = store.lotsOfEntry(tx, member, id);
            var restoredRead = store.restoredByLot(tx, member, id);
            var reversedRead = store.alreadyReversed(tx, member, id);
            var snapshot = store.snapshot(tx, member);
            // A reversed earn takes its points back from qualification: the tier state rides along.
            var tierReads = tiers.read(tx, List.of(member), clock.instant());
            return account -> {
                Instant now = clock.instant();
                Optional<LedgerStore.StoredEntry> prior = priorRead.get();
                switch (ReferenceRule.decide(prior.map(LedgerStore.StoredEntry::prior), fingerprint)) {
                    case ReferenceRule.Replay r -> {
                        LedgerEntry entry = prior.get().entry();
                        return new SpendResult.Done(new Receipts.Transaction(entry.entryId(), Math.abs(entry.points()),
                                entry.balanceAfter()), true);
                    }
                    case ReferenceRule.Conflict c -> {
                        return refused(c.refusal());
                    }
                    case ReferenceRule.Fresh f -> {
                    }
                }
                LedgerEntry original = originalRead.get().orElse(null);
                List<Allocation> originalAllocations = List.of();
                if (original != null && original.kind() == EntryKind.REDEEM) {
                    originalAllocations = allocationsRead.get();
                } else if (original != null && original.kind() == EntryKind.EARN) {
                    // An earn moved no lots but the one it created: the only lot read for it.
                    List<Lot> created = lotsRead.get();
                    if (created.size() != 1) {
                        throw new IllegalStateException("an earn must have exactly one lot, found " + created.size());
                    }
                    Lot lot = created.get(0);
                    originalAllocations = List.of(new Allocation(lot.lotId(), original.points()));
                }
                ReversalContext context = original == null ? ReversalContext.notFound()
                        : new ReversalContext(original, originalAllocations, restoredRead.get(), reversedRead.get());
                MemberState state = load(tx, snapshot.get(), now, lotsRead.get(), null);
                requireOpen(state.memberId(), snapshot.get());
                return switch (SpendRules.reverse(state, command, context, now, UUID::randomUUID)) {
                    case ReversalOutcome.Reversed r -> {
                        writer.reversed(tx, state.account(), r, command.transactionId(), fingerprint, now);
                        if (original.kind() == EntryKind.EARN) {
                            // Taken back on the original earn's day, of its type (spending never lowers it).
                            tiers.takenBack(tx, tierReads, member, List.of(new dev.loyalty.core.tiers.QualifyingDay(
                                    tiers.day(original.occurredAt()), original.pointType(), Math.abs(r.entry().points()))), now);
                        }
                        yield new SpendResult.Done(new Receipts.Transaction(r.entry().entryId(),
                                Math.abs(r.entry().points()), r.after().balance()), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    public SpendResult transfer(MemberId from, TransferCommand command) {
        // Bad input is refused before any lock or read: it changes nothing.
        Optional<Refusal> invalid = SpendRules.validateTransfer(from, command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        MemberId to = new MemberId(command.toMemberId());
        String fingerprint = RequestFingerprint.transfer(command);
        return refusing(() -> db.inTransaction(tx -> {
            // Round trip 1: both locks in member id order (so opposite transfers cannot
            // deadlock), the reference, both members' state.
            boolean fromFirst = from.value().compareTo(to.value()) < 0;
            var first = store.lockAccount(tx, fromFirst ? from : to);
            var second = store.lockAccount(tx, fromFirst ? to : from);
            var priorRead = store.findByReference(tx, from, EntryKind.TRANSFER_OUT, command.reference());
            var fromSnapshot = store.snapshot(tx, from);
            var toSnapshot = store.snapshot(tx, to);
            tx.flush();
            Instant now = clock.instant();
            Optional<AccountState> sender = (fromFirst ? first : second).get();
            Optional<AccountState> receiver = (fromFirst ? second : first).get();
            if (sender.isEmpty()) {
                return refused(new Refusal.MemberNotFound(from));
            }
            Optional<LedgerStore.StoredEntry> prior = priorRead.get();
            switch (ReferenceRule.decide(prior.map(LedgerStore.StoredEntry::prior), fingerprint)) {
                case ReferenceRule.Replay r -> {
                    LedgerEntry entry = prior.get().entry();
                    return new SpendResult.Done(new Receipts.Transaction(entry.entryId(), -entry.points(),
                            entry.balanceAfter()), true);
                }
                case ReferenceRule.Conflict c -> {
                    return refused(c.refusal());
                }
                case ReferenceRule.Fresh f -> {
                }
            }
            if (receiver.isEmpty()) {
                return refused(new Refusal.MemberNotFound(to));
            }
            requireOpen(from, fromSnapshot.get());
            requireOpen(to, toSnapshot.get()); // a closed account cannot receive either
            MemberState fromState = load(tx, fromSnapshot.get(), now, List.of(), null);
            MemberState toState = load(tx, toSnapshot.get(), now, List.of(), null);
            return switch (SpendRules.transfer(fromState, toState, command, now, UUID::randomUUID)) {
                case TransferOutcome.Transferred t -> {
                    writer.transferred(tx, fromState.account(), toState.account(), t, fingerprint, now);
                    yield new SpendResult.Done(new Receipts.Transaction(t.out().entryId(), command.points(),
                            t.senderAfter().balance()), false);
                }
                case Refused r -> refused(r.refusal());
            };
        }));
    }

    /**
     * An operator's correction (the core's {@link SpendRules#adjust}): an ADJUSTMENT entry with
     * its reason, a credit as a new lot or a debit in spending order. Reconcile never fixes
     * anything itself; this is how a discrepancy is corrected, explicitly.
     */
    public SpendResult adjust(MemberId member, AdjustCommand command) {
        Optional<Refusal> invalid = SpendRules.validateAdjustment(command, catalog);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        String fingerprint = RequestFingerprint.adjustment(command);
        return write(member, tx -> {
            var priorRead = store.findByReference(tx, member, EntryKind.ADJUSTMENT, command.reference());
            var snapshot = store.snapshot(tx, member);
            return account -> {
                Optional<LedgerStore.StoredEntry> prior = priorRead.get();
                switch (ReferenceRule.decide(prior.map(LedgerStore.StoredEntry::prior), fingerprint)) {
                    case ReferenceRule.Replay r -> {
                        return new SpendResult.Done(adjustment(prior.get().entry()), true);
                    }
                    case ReferenceRule.Conflict c -> {
                        return refused(c.refusal());
                    }
                    case ReferenceRule.Fresh f -> {
                    }
                }
                Instant now = clock.instant();
                MemberState state = load(tx, snapshot.get(), now, List.of(), null);
                requireOpen(member, snapshot.get());
                AdjustOutcome outcome = SpendRules.adjust(state, command, now, catalog, UUID::randomUUID);
                return switch (outcome) {
                    case AdjustOutcome.Credited c -> {
                        writer.adjusted(tx, state.account(), c, fingerprint, now);
                        yield new SpendResult.Done(adjustment(c.entry()), false);
                    }
                    case AdjustOutcome.Debited d -> {
                        writer.adjusted(tx, state.account(), d, fingerprint, now);
                        yield new SpendResult.Done(adjustment(d.entry()), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    /**
     * The member's state for the core: open lots (plus {@code extraLots}, e.g. spent lots a
     * reversal restores into) and holds. Holds the core finds past their time
     * ({@link SpendRules#expiredHolds}) are stored as EXPIRED by whichever write touches the
     * member first, so nothing waits for the sweep; {@code target} (a capture's or void's hold)
     * is kept in the state whatever its status, so the core can say why it is not active.
     */
    public MemberState load(Tx tx, Optional<LedgerStore.Snapshot> read, Instant now, Collection<Lot> extraLots, Hold target) {
        LedgerStore.Snapshot snapshot = read.orElseThrow();
        Map<UUID, Lot> lots = new LinkedHashMap<>();
        snapshot.openLots().forEach(l -> lots.put(l.lotId(), l));
        extraLots.forEach(l -> lots.putIfAbsent(l.lotId(), l));
        MemberState loaded = new MemberState(snapshot.account(), new ArrayList<>(lots.values()), snapshot.heldHolds());
        List<Hold> expired = SpendRules.expiredHolds(loaded, now).stream()
                .filter(h -> target == null || !h.holdId().equals(target.holdId())).toList();
        writer.releaseHolds(tx, expired, now);
        List<Hold> holds = new ArrayList<>(snapshot.heldHolds().stream()
                .filter(h -> expired.stream().noneMatch(x -> x.holdId().equals(h.holdId()))).toList());
        if (target != null && holds.stream().noneMatch(h -> h.holdId().equals(target.holdId()))) {
            holds.add(target);
        }
        return new MemberState(snapshot.account(), new ArrayList<>(lots.values()), holds);
    }

    /** A closed account takes no more writes (checked after the reference rule: a retry still replays). */
    private static void requireOpen(MemberId member, Optional<LedgerStore.Snapshot> snapshot) {
        SpendRules.requireOpen(member, snapshot.map(LedgerStore.Snapshot::closedAt).orElse(null))
                .ifPresent(SpendService::refused);
    }

    /**
     * Closes the member's account ({@link SpendRules#close}): forfeits what is left, voids active
     * holds, refuses later writes. The same closing again is answered as the first time; a
     * different one is ACCOUNT_CLOSED.
     */
    public SpendResult close(MemberId member, CloseCommand command) {
        Optional<Refusal> invalid = SpendRules.validateClose(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        String fingerprint = RequestFingerprint.close(command);
        return write(member, tx -> {
            var closureRead = store.closure(tx, member);
            var snapshot = store.snapshot(tx, member);
            return account -> {
                Optional<LedgerStore.Closure> closure = closureRead.get();
                if (closure.isPresent()) {
                    LedgerStore.Closure c = closure.get();
                    return fingerprint.equals(c.fingerprint())
                            ? new SpendResult.Done(new Receipts.Closed(member.value(), "CLOSED", c.forfeited(), c.closedAt()), true)
                            : refused(new Refusal.AccountClosed(member, c.closedAt()));
                }
                Instant now = clock.instant();
                MemberState state = load(tx, snapshot.get(), now, List.of(), null);
                return switch (SpendRules.close(state, command, now, UUID::randomUUID)) {
                    case CloseOutcome.Closed c -> {
                        writer.closed(tx, state.account(), c, command.reason(), command.reference(), fingerprint, now);
                        yield new SpendResult.Done(new Receipts.Closed(member.value(), "CLOSED", c.forfeited(), c.closedAt()),
                                false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    /** What a write queues after its lock: its reads; then, once they are back, what it decides. */
    private interface Reads {
        Decision queue(Tx tx);
    }

    private interface Decision {
        SpendResult decide(AccountState account);
    }

    /**
     * One write on one member in two round trips: the lock and every read {@code reads} queues
     * go with BEGIN; what it decides to write goes with COMMIT (see {@link Tx}). An unknown
     * member is MEMBER_NOT_FOUND.
     */
    private SpendResult write(MemberId member, Reads reads) {
        return refusing(() -> db.inTransaction(tx -> {
            var account = store.lockAccount(tx, member);
            Decision decision = reads.queue(tx);
            tx.flush();
            if (account.get().isEmpty()) {
                return refused(new Refusal.MemberNotFound(member));
            }
            return decision.decide(account.get().get());
        }));
    }

    private static SpendResult refusing(java.util.function.Supplier<SpendResult> work) {
        try {
            return work.get();
        } catch (RefusedInTransaction r) {
            return new SpendResult.Refused(r.refusal);
        }
    }

    /** Throws so the transaction rolls back (lazy hold releases included): a refusal changes nothing. */
    private static SpendResult refused(Refusal refusal) {
        throw new RefusedInTransaction(refusal);
    }

    private static SpendResult redeemed(LedgerEntry entry, List<Allocation> allocations, boolean replayed) {
        return new SpendResult.Done(new Receipts.Redeemed(entry.entryId(), -entry.points(), entry.balanceAfter(),
                allocations.stream().map(a -> new Receipts.AllocationView(a.lotId(), a.points())).toList()), replayed);
    }

    private static Receipts.Transaction adjustment(LedgerEntry e) {
        return new Receipts.Transaction(e.entryId(), e.points(), e.balanceAfter());
    }

    /** Carries a refusal out of the transaction so it rolls back. */
    private static final class RefusedInTransaction extends RuntimeException {
        final Refusal refusal;

        RefusedInTransaction(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }
    }
}
