package dev.loyalty.core.simulation;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.ReversalContext;
import dev.loyalty.core.spend.SpendOutcome;
import dev.loyalty.core.spend.SpendOutcome.Rejected;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The ledger core as a {@link LedgerUnderTest}: {@link EarnRule} and {@link SpendRules} over
 * in-memory books, doing what a storage adapter does around them (find the member, build the
 * reversal context, apply the outcome, enforce {@code UNIQUE (member, kind, reference)}), and
 * nothing more. Not thread-safe: the simulation is single-threaded by design.
 */
public final class CoreLedger implements LedgerUnderTest {

    static final String MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND";

    private final PointTypeCatalog catalog;
    private final Supplier<UUID> ids;
    private final Map<String, Book> books = new LinkedHashMap<>();

    /** Ids come from a generator seeded with {@code idSeed}, so a run replays exactly (ids break spending-order ties). */
    public CoreLedger(long idSeed) {
        this(PointTypeCatalog.defaults(ZoneOffset.UTC), idSeed);
    }

    public CoreLedger(PointTypeCatalog catalog, long idSeed) {
        this.catalog = catalog;
        SplittableRandom random = new SplittableRandom(idSeed ^ 0x1D5EEDL);
        this.ids = () -> new UUID(random.nextLong(), random.nextLong());
    }

    /** One member's storage: the state the rules read plus the history they never need whole. */
    private static final class Book {
        MemberState state;
        final List<LedgerEntry> entries = new ArrayList<>();
        final Map<UUID, LedgerEntry> entriesById = new HashMap<>();
        final Map<UUID, List<Allocation>> allocations = new HashMap<>();
        final Map<UUID, UUID> reversesId = new HashMap<>();
        final Map<UUID, UUID> lotSource = new HashMap<>();
        final Map<UUID, UUID> earnLot = new HashMap<>();
        final Set<String> kindReferences = new HashSet<>();

        Book(MemberId member) {
            state = MemberState.empty(member);
        }

        void append(LedgerEntry entry, List<Allocation> entryAllocations, UUID reverses) {
            // What the database's UNIQUE (member_id, kind, reference) would refuse.
            if (!kindReferences.add(entry.kind() + " " + entry.reference())) {
                throw new IllegalStateException("duplicate " + entry.kind() + " reference " + entry.reference());
            }
            if (entry.sequence() != entries.size() + 1L) {
                throw new IllegalStateException("entry sequence " + entry.sequence() + " after " + entries.size());
            }
            entries.add(entry);
            entriesById.put(entry.entryId(), entry);
            allocations.put(entry.entryId(), List.copyOf(entryAllocations));
            if (reverses != null) {
                reversesId.put(entry.entryId(), reverses);
            }
        }
    }

    @Override
    public OpResult earn(String member, long points, String type, String reference, Instant now) {
        Book book = books.get(member);
        AccountState state;
        if (book != null) {
            state = book.state.account();
        } else if (MemberId.isValid(member)) {
            state = AccountState.empty(new MemberId(member));
        } else {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        EarnOutcome outcome = EarnRule.apply(state, new EarnCommand(member, points, type, reference, null, null),
                now, catalog, ids);
        if (outcome instanceof EarnOutcome.Rejected rejected) {
            return OpResult.rejected(rejected.code());
        }
        EarnOutcome.Earned earned = (EarnOutcome.Earned) outcome;
        if (book == null) {
            book = new Book(earned.after().memberId());
            books.put(member, book);
        }
        book.append(earned.entry(), List.of(), null);
        book.lotSource.put(earned.lot().lotId(), earned.entry().entryId());
        book.earnLot.put(earned.entry().entryId(), earned.lot().lotId());
        book.state = book.state.withChanges(earned.after(), List.of(earned.lot()), List.of());
        return OpResult.ok(earned.entry().entryId());
    }

    @Override
    public OpResult redeem(String member, long points, String reference, Instant now) {
        RedeemCommand command = new RedeemCommand(points, reference, null);
        Optional<Rejected> invalid = SpendRules.validateRedeem(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        SpendOutcome outcome = SpendRules.redeem(book.state, command, now, ids);
        if (outcome instanceof SpendOutcome.Redeemed redeemed) {
            book.append(redeemed.entry(), redeemed.allocations(), null);
            book.state = book.state.withChanges(redeemed.after(), redeemed.changedLots(), List.of());
            return OpResult.ok(redeemed.entry().entryId());
        }
        return result((Rejected) outcome);
    }

    @Override
    public OpResult hold(String member, long points, String reference, Long ttlSeconds, Instant now) {
        HoldCommand command = new HoldCommand(points, reference, ttlSeconds);
        Optional<Rejected> invalid = SpendRules.validateHold(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        SpendOutcome outcome = SpendRules.placeHold(book.state, command, now, ids);
        if (outcome instanceof SpendOutcome.HoldPlaced placed) {
            book.state = book.state.withChanges(book.state.account(), List.of(), List.of(placed.hold()));
            return OpResult.ok(placed.hold().holdId());
        }
        return result((Rejected) outcome);
    }

    @Override
    public OpResult capture(String member, UUID holdId, Long points, Instant now) {
        CaptureCommand command = new CaptureCommand(holdId, points);
        Optional<Rejected> invalid = SpendRules.validateCapture(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        SpendOutcome outcome = SpendRules.capture(book.state, command, now, ids);
        if (outcome instanceof SpendOutcome.Captured captured) {
            book.append(captured.entry(), captured.allocations(), null);
            book.state = book.state.withChanges(captured.after(), captured.changedLots(), List.of(captured.hold()));
            return OpResult.ok(captured.entry().entryId());
        }
        return result((Rejected) outcome);
    }

    @Override
    public OpResult voidHold(String member, UUID holdId, Instant now) {
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        SpendOutcome outcome = SpendRules.voidHold(book.state, new VoidCommand(holdId), now);
        if (outcome instanceof SpendOutcome.Voided voided) {
            book.state = book.state.withChanges(book.state.account(), List.of(), List.of(voided.hold()));
            return OpResult.ok(voided.hold().holdId());
        }
        return result((Rejected) outcome);
    }

    @Override
    public OpResult reverse(String member, UUID transactionId, Long points, String reference, Instant now) {
        ReversalCommand command = new ReversalCommand(transactionId, points, reference, null);
        Optional<Rejected> invalid = SpendRules.validateReversal(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        SpendOutcome outcome = SpendRules.reverse(book.state, command, context(book, transactionId), now, ids);
        if (outcome instanceof SpendOutcome.Reversed reversed) {
            book.append(reversed.entry(), reversed.allocations(), transactionId);
            book.state = book.state.withChanges(reversed.after(), reversed.changedLots(), List.of());
            return OpResult.ok(reversed.entry().entryId());
        }
        return result((Rejected) outcome);
    }

    /** What a storage adapter reads for a reversal: the entry, what it moved, and earlier reversals of it. */
    private static ReversalContext context(Book book, UUID transactionId) {
        LedgerEntry original = transactionId == null ? null : book.entriesById.get(transactionId);
        if (original == null) {
            return ReversalContext.notFound();
        }
        List<Allocation> moved = switch (original.kind()) {
            case EARN -> List.of(new Allocation(book.earnLot.get(original.entryId()), original.points()));
            case REDEEM -> book.allocations.get(original.entryId());
            default -> List.of();
        };
        Map<UUID, Long> restoredByLot = new HashMap<>();
        long alreadyReversed = 0;
        for (Map.Entry<UUID, UUID> reversal : book.reversesId.entrySet()) {
            if (!reversal.getValue().equals(transactionId)) {
                continue;
            }
            alreadyReversed = Math.addExact(alreadyReversed, Math.absExact(book.entriesById.get(reversal.getKey()).points()));
            for (Allocation a : book.allocations.get(reversal.getKey())) {
                restoredByLot.merge(a.lotId(), a.points(), Math::addExact);
            }
        }
        // An earn's reversal allocations name the points taken, not restored: only a redeem's count here.
        if (original.kind() != EntryKind.REDEEM) {
            restoredByLot.clear();
        }
        return new ReversalContext(original, moved, restoredByLot, alreadyReversed);
    }

    @Override
    public OpResult transfer(String from, String to, long points, String reference, Instant now) {
        Book sender = books.get(from);
        if (!MemberId.isValid(from)) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        TransferCommand command = new TransferCommand(to, points, reference, null);
        Optional<Rejected> invalid = SpendRules.validateTransfer(new MemberId(from), command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        if (sender == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        Book receiver = books.get(to);
        if (receiver == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        SpendOutcome outcome = SpendRules.transfer(sender.state, receiver.state, command, now, ids);
        if (outcome instanceof SpendOutcome.Transferred t) {
            // Both sides or neither: nothing below can fail once the rule has answered.
            sender.append(t.out(), t.outAllocations(), null);
            sender.state = sender.state.withChanges(t.senderAfter(), t.changedSenderLots(), List.of());
            receiver.append(t.in(), List.of(), null);
            for (Lot lot : t.newReceiverLots()) {
                receiver.lotSource.put(lot.lotId(), t.in().entryId());
            }
            receiver.state = receiver.state.withChanges(t.receiverAfter(), t.newReceiverLots(), List.of());
            return OpResult.ok(t.out().entryId());
        }
        return result((Rejected) outcome);
    }

    @Override
    public OpResult expire(Instant now) {
        for (Book book : books.values()) {
            SpendOutcome outcome = SpendRules.expire(book.state, now, ids);
            if (outcome instanceof SpendOutcome.Expired expired) {
                book.append(expired.entry(), expired.allocations(), null);
                book.state = book.state.withChanges(expired.after(), expired.changedLots(), expired.releasedHolds());
            } else if (outcome instanceof SpendOutcome.NothingToExpire nothing) {
                book.state = book.state.withChanges(book.state.account(), List.of(), nothing.releasedHolds());
            } else {
                throw new IllegalStateException("expire answered " + outcome);
            }
        }
        return OpResult.ok(null);
    }

    @Override
    public Snapshot snapshot(String member, Instant now) {
        Book book = books.get(member);
        if (book == null) {
            return Snapshot.absent(member);
        }
        MemberState state = book.state;
        List<Snapshot.LotView> lots = new ArrayList<>();
        for (Lot lot : state.lots()) {
            lots.add(new Snapshot.LotView(lot.lotId(), lot.pointType(), lot.originalPoints(), lot.remainingPoints(),
                    lot.earnedAt(), lot.expiresAt(), book.lotSource.get(lot.lotId())));
        }
        List<Snapshot.EntryView> entries = new ArrayList<>();
        for (LedgerEntry e : book.entries) {
            entries.add(new Snapshot.EntryView(e.entryId(), e.kind(), e.points(), e.balanceAfter(), e.sequence(),
                    book.reversesId.get(e.entryId()), book.allocations.get(e.entryId())));
        }
        List<Snapshot.HoldView> holds = new ArrayList<>();
        for (Hold hold : state.holds()) {
            holds.add(new Snapshot.HoldView(hold.holdId(), hold.points(), hold.status(), hold.expiresAt()));
        }
        return new Snapshot(member, true, state.account().balance(), state.available(now), state.held(now),
                lots, entries, holds);
    }

    private static OpResult result(Rejected rejected) {
        return switch (rejected) {
            case SpendOutcome.InsufficientPoints r -> OpResult.insufficient(r.available());
            case SpendOutcome.NotReversible r -> OpResult.notReversible(r.reversible());
            default -> OpResult.rejected(rejected.code());
        };
    }
}
