package dev.loyalty.functions.rewards;

import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.ReferenceRule;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CancelOutcome;
import dev.loyalty.core.spend.FulfilOutcome;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.Redemption;
import dev.loyalty.core.spend.RedemptionCommand;
import dev.loyalty.core.spend.RedemptionOutcome;
import dev.loyalty.core.spend.RedemptionRules;
import dev.loyalty.core.spend.RedemptionStatus;
import dev.loyalty.core.spend.Refused;
import dev.loyalty.core.spend.ReversalContext;
import dev.loyalty.core.spend.Reward;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.RedemptionStore;
import dev.loyalty.functions.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Redemptions, one transaction each, two round trips like every write: (1) BEGIN, the member's
 * lock, the reference, the member's state, the reward row and the member's units of it; (2) the
 * REDEEM, the redemption, its event and LAST the stock (a conditional decrement, see
 * {@link LedgerWriter#redemptionCreated}), then COMMIT. Only the reward's row is shared between
 * members, and it is locked from the decrement to the COMMIT in the same pipeline.
 *
 * <p>Order of checks: input, the member, the reference rule (a replay answers as the first
 * time; a reference used by another write of the member's redeem namespace is
 * REFERENCE_ALREADY_USED), the closed account, then the core ({@link RedemptionRules}).
 */
@ApplicationScoped
public class RedemptionService {
    private final Db db;
    private final LedgerStore ledger;
    private final RedemptionStore store;
    private final LedgerWriter writer;
    private final SpendService spend;
    private final Clock clock;

    public RedemptionService(Db db, LedgerStore ledger, RedemptionStore store, LedgerWriter writer, SpendService spend,
                             Clock clock) {
        this.db = db;
        this.ledger = ledger;
        this.store = store;
        this.writer = writer;
        this.spend = spend;
        this.clock = clock;
    }

    public SpendResult redeem(MemberId member, RedemptionCommand command) {
        Optional<Refusal> invalid = RedemptionRules.validate(command);
        if (invalid.isPresent()) {
            return new SpendResult.Refused(invalid.get());
        }
        String fingerprint = RequestFingerprint.redemption(command);
        try {
            return write(member, tx -> {
                var priorEntry = ledger.findByReference(tx, member, EntryKind.REDEEM, command.reference());
                var holdRead = ledger.holdByReference(tx, member, command.reference());
                var priorRedemption = store.byReference(tx, member, command.reference());
                var snapshot = ledger.snapshot(tx, member);
                var rewardRead = store.reward(tx, command.rewardId());
                var unitsRead = store.unitsHeld(tx, member, command.rewardId());
                return account -> {
                    Optional<LedgerStore.StoredEntry> prior = priorEntry.get();
                    if (prior.isEmpty() && holdRead.get().isPresent()) {
                        return refused(ReferenceRule.takenByOther(holdRead.get().get().prior()).refusal());
                    }
                    switch (ReferenceRule.decide(prior.map(LedgerStore.StoredEntry::prior), fingerprint)) {
                        case ReferenceRule.Replay r -> {
                            RedemptionStore.StoredRedemption stored = priorRedemption.get().orElseThrow(
                                    () -> new IllegalStateException("a redemption's REDEEM without its redemption"));
                            var allocations = ledger.allocations(tx, member, stored.redemption().transactionId());
                            tx.flush();
                            return new SpendResult.Done(created(stored.redemption(), stored.paidBalance(),
                                    allocations.get()), true);
                        }
                        case ReferenceRule.Conflict c -> {
                            return refused(c.refusal());
                        }
                        case ReferenceRule.Fresh f -> {
                        }
                    }
                    Instant now = clock.instant();
                    requireOpen(member, snapshot.get());
                    MemberState state = spend.load(tx, snapshot.get(), now, List.of(), null);
                    return switch (RedemptionRules.redeem(state, rewardRead.get().orElse(null), unitsRead.get(), command,
                            now, UUID::randomUUID)) {
                        case RedemptionOutcome.Created c -> {
                            writer.redemptionCreated(tx, state.account(), c, fingerprint, now);
                            yield new SpendResult.Done(created(c.redemption(), c.redeemed().after().balance(),
                                    c.redeemed().allocations()), false);
                        }
                        case Refused r -> refused(r.refusal());
                    };
                };
            });
        } catch (Tx.GuardFailed g) {
            if (!LedgerWriter.STOCK_GUARD.equals(g.guard())) {
                throw g;
            }
            // Another member took the last units between our read and our decrement: nothing was
            // applied (the COMMIT became a rollback). What is left now, in one more read.
            long left = db.read(tx -> tx.one("SELECT stock FROM rewards WHERE reward_id = $1",
                    r -> r.getLong("stock"), command.rewardId())).orElse(0L);
            return new SpendResult.Refused(new Refusal.OutOfStock(command.rewardId(), command.resolvedQuantity(), left));
        }
    }

    /** Fulfilling a fulfilled redemption with the same fulfilmentRef is a retry: the same answer. */
    public SpendResult fulfil(MemberId member, UUID redemptionId, String fulfilmentRef) {
        if (fulfilmentRef != null && !dev.loyalty.core.Limits.isValidReference(fulfilmentRef)) {
            return new SpendResult.Refused(new Refusal.InvalidRewardField("fulfilmentRef",
                    "fulfilmentRef must be 1..128 printable ASCII characters without spaces"));
        }
        String fingerprint = RequestFingerprint.fulfilment(redemptionId, fulfilmentRef);
        return write(member, tx -> {
            var read = store.redemption(tx, member, redemptionId);
            return account -> {
                Optional<RedemptionStore.StoredRedemption> stored = read.get();
                if (stored.isPresent() && stored.get().redemption().status() == RedemptionStatus.FULFILLED
                        && fingerprint.equals(stored.get().finishFingerprint())) {
                    return new SpendResult.Done(fulfilled(stored.get().redemption(), fulfilmentRef), true);
                }
                Instant now = clock.instant();
                return switch (RedemptionRules.fulfil(stored.map(RedemptionStore.StoredRedemption::redemption).orElse(null),
                        redemptionId)) {
                    case FulfilOutcome.Fulfilled f -> {
                        writer.redemptionFulfilled(tx, f.redemption(), fulfilmentRef, fingerprint, now);
                        yield new SpendResult.Done(fulfilled(f.redemption(), fulfilmentRef), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    /**
     * Cancelling a cancelled redemption with the same reason is a retry: the first answer, and no
     * second refund (the redemption is CANCELLED once, in SQL, and its REVERSAL's reference is
     * unique); with another reason it is REDEMPTION_NOT_PENDING.
     */
    public SpendResult cancel(MemberId member, UUID redemptionId, String reason) {
        String fingerprint = RequestFingerprint.cancellation(redemptionId, reason);
        return write(member, tx -> {
            var read = store.redemption(tx, member, redemptionId);
            var rewardRead = store.rewardOf(tx, member, redemptionId);
            var entryRead = store.paidEntry(tx, member, redemptionId);
            var allocationsRead = store.paidAllocations(tx, member, redemptionId);
            var lotsRead = store.paidLots(tx, member, redemptionId);
            var restoredRead = store.restoredByLot(tx, member, redemptionId);
            var reversedRead = store.alreadyReversed(tx, member, redemptionId);
            var snapshot = ledger.snapshot(tx, member);
            return account -> {
                Optional<RedemptionStore.StoredRedemption> stored = read.get();
                if (stored.isPresent() && stored.get().redemption().status() == RedemptionStatus.CANCELLED
                        && fingerprint.equals(stored.get().finishFingerprint())) {
                    RedemptionStore.StoredRedemption s = stored.get();
                    return new SpendResult.Done(new RewardReceipts.Cancelled(s.redemption().redemptionId(),
                            RedemptionStatus.CANCELLED.name(), s.redemption().rewardId(), s.redemption().quantity(),
                            s.redemption().points(), s.cancelBalance() == null ? account.balance() : s.cancelBalance(),
                            s.cancelEntryId()), true);
                }
                Instant now = clock.instant();
                Redemption redemption = stored.map(RedemptionStore.StoredRedemption::redemption).orElse(null);
                if (redemption != null && redemption.status() == RedemptionStatus.PENDING) {
                    requireOpen(member, snapshot.get());
                }
                ReversalContext paid = entryRead.get().isEmpty() ? ReversalContext.notFound()
                        : new ReversalContext(entryRead.get().get(), allocationsRead.get(), restoredRead.get(),
                        reversedRead.get());
                MemberState state = spend.load(tx, snapshot.get(), now, lotsRead.get(), null);
                return switch (RedemptionRules.cancel(state, redemption, redemptionId, rewardRead.get().orElse(null), paid,
                        reason, now, UUID::randomUUID)) {
                    case CancelOutcome.Cancelled c -> {
                        writer.redemptionCancelled(tx, state.account(), c, fingerprint, now);
                        yield new SpendResult.Done(new RewardReceipts.Cancelled(redemptionId, c.redemption().status().name(),
                                c.redemption().rewardId(), c.redemption().quantity(), c.redemption().points(),
                                c.balanceAfter(), c.reversal() == null ? null : c.reversal().entry().entryId()), false);
                    }
                    case Refused r -> refused(r.refusal());
                };
            };
        });
    }

    /** The member's redemptions, newest first (at most {@code limit}). */
    public RewardReceipts.Items list(MemberId member, int limit) {
        List<RedemptionStore.StoredRedemption> rows = db.read(tx -> {
            var list = store.list(tx, member, limit);
            tx.flush();
            return list.get();
        });
        return new RewardReceipts.Items(rows.stream().map(s -> new RewardReceipts.Item(s.redemption().redemptionId(),
                s.redemption().status().name(), s.redemption().rewardId(), s.redemption().quantity(), s.redemption().points(),
                s.redemption().reference(), s.redemption().transactionId(), s.fulfilmentRef(), s.cancelEntryId(),
                s.redemption().createdAt())).toList());
    }

    /** Whether the member has an account (an unknown member's list is MEMBER_NOT_FOUND). */
    public boolean exists(MemberId member) {
        return db.read(tx -> {
            var account = ledger.findAccount(tx, member);
            tx.flush();
            return account.get().isPresent();
        });
    }

    private static RewardReceipts.Created created(Redemption r, long balance, List<Allocation> allocations) {
        return new RewardReceipts.Created(r.redemptionId(), r.status() == RedemptionStatus.PENDING ? "PENDING"
                : r.status().name(), r.rewardId(), r.quantity(), r.points(), balance, r.transactionId(),
                allocations.stream().map(a -> new Receipts.AllocationView(a.lotId(), a.points())).toList());
    }

    private static RewardReceipts.Fulfilled fulfilled(Redemption r, String fulfilmentRef) {
        return new RewardReceipts.Fulfilled(r.redemptionId(), RedemptionStatus.FULFILLED.name(), r.rewardId(), r.quantity(),
                r.points(), fulfilmentRef);
    }

    private static void requireOpen(MemberId member, Optional<LedgerStore.Snapshot> snapshot) {
        SpendRules.requireOpen(member, snapshot.map(LedgerStore.Snapshot::closedAt).orElse(null))
                .ifPresent(RedemptionService::refused);
    }

    private interface Decision {
        SpendResult decide(dev.loyalty.core.AccountState account);
    }

    /** Lock, queue the reads, one round trip; decide; the writes go with COMMIT. Unknown member: MEMBER_NOT_FOUND. */
    private SpendResult write(MemberId member, Function<Tx, Decision> reads) {
        try {
            return db.inTransaction(tx -> {
                var account = ledger.lockAccount(tx, member);
                Decision decision = reads.apply(tx);
                tx.flush();
                if (account.get().isEmpty()) {
                    return refused(new Refusal.MemberNotFound(member));
                }
                return decision.decide(account.get().get());
            });
        } catch (RefusedInTransaction r) {
            return new SpendResult.Refused(r.refusal);
        }
    }

    private static SpendResult refused(Refusal refusal) {
        throw new RefusedInTransaction(refusal);
    }

    private static final class RefusedInTransaction extends RuntimeException {
        final Refusal refusal;

        RefusedInTransaction(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }
    }
}
