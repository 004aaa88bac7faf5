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
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.ReferenceRule;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.AdjustOutcome;
import dev.loyalty.core.spend.CaptureOutcome;
import dev.loyalty.core.spend.CloseCommand;
import dev.loyalty.core.spend.CloseOutcome;
import dev.loyalty.core.spend.ExpireOutcome;
import dev.loyalty.core.spend.HoldOutcome;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.core.spend.RedeemOutcome;
import dev.loyalty.core.spend.Refused;
import dev.loyalty.core.spend.ReversalOutcome;
import dev.loyalty.core.spend.TransferOutcome;
import dev.loyalty.core.spend.VoidOutcome;
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
    private final Map<String, dev.loyalty.core.spend.Reward> rewards = new HashMap<>();
    /** Redemptions by id, and the fingerprint of the fulfil or cancel that finished each. */
    private final Map<UUID, dev.loyalty.core.spend.Redemption> redemptions = new HashMap<>();
    private final Map<UUID, String> finished = new HashMap<>();

    /** Ids come from a generator seeded with {@code idSeed}, so a run replays exactly (ids break spending-order ties). */
    public CoreLedger(long idSeed) {
        this(PointTypeCatalog.defaults(ZoneOffset.UTC), idSeed);
    }

    /** The tier set runs rank members by ({@link Simulation#TIERS}); null: no tiers. */
    private final dev.loyalty.core.tiers.TierSet tiers;

    public CoreLedger(PointTypeCatalog catalog, long idSeed) {
        this(catalog, idSeed, Simulation.TIERS);
    }

    public CoreLedger(PointTypeCatalog catalog, long idSeed, dev.loyalty.core.tiers.TierSet tiers) {
        this.tiers = tiers;
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
        /** What a storage adapter keeps per (namespace, reference): the write and its request fingerprint. */
        final Map<String, ReferenceRule.Prior> priors = new HashMap<>();
        /** A captured hold's REDEEM entry with the capture's fingerprint. */
        final Map<UUID, ReferenceRule.Prior> captures = new HashMap<>();

        /** When the account was closed (null while open), and the closing's fingerprint. */
        Instant closedAt;
        String closeFingerprint;

        Optional<ReferenceRule.Prior> prior(String namespace, String reference) {
            return Optional.ofNullable(priors.get(namespace + " " + reference));
        }

        /** The member's tier record (null until its first earn is decided) and qualifying day rows, as storage keeps them. */
        dev.loyalty.core.tiers.TierRecord tierRecord;
        /** The tier changes the writes recorded, oldest first. */
        List<dev.loyalty.core.tiers.TierChange> tierHistory = new ArrayList<>();
        List<dev.loyalty.core.tiers.QualifyingDay> qualifying = new ArrayList<>();
        Instant created;

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

    /** Namespaces of references: holds and redeems share one (a capture's entry carries its hold's reference). */
    static final String EARN = "EARN", SPEND = "SPEND", REVERSAL = "REVERSAL", TRANSFER = "TRANSFER_OUT",
            ADJUSTMENT = "ADJUSTMENT", EVENT = "EVENT";

    /** The simulation's one rule, as the rules engine reads it. */
    static final dev.loyalty.core.rules.RuleSet RULES = new dev.loyalty.core.rules.RuleSet(List.of(
            new dev.loyalty.core.rules.Rule("sim-purchase", "purchase", "PURCHASE", 1, PER_AMOUNT, null, List.of(),
                    PENDING_DAYS)), List.of());

    /** What a storage adapter keeps of a purchase: its amount, what returns returned, its award (entry, lot, given back). */
    private static final class StoredPurchase {
        final long amount;
        long returnedSoFar;
        final List<dev.loyalty.core.returns.PurchaseAward> awards = new ArrayList<>();

        StoredPurchase(long amount) {
            this.amount = amount;
        }
    }

    private final Map<String, Map<String, StoredPurchase>> purchases = new HashMap<>();

    @Override
    public OpResult purchase(String member, long amount, String reference, Instant now) {
        dev.loyalty.core.rules.BusinessEvent event = new dev.loyalty.core.rules.BusinessEvent(member, "purchase", reference,
                null, amount, null, null, null);
        Optional<Refusal> invalid = dev.loyalty.core.rules.RulesEngine.validate(event, now);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.computeIfAbsent(member, m -> new Book(new MemberId(m)));
        String fingerprint = RequestFingerprint.businessEvent(event);
        Optional<OpResult> answered = replayedOrClosed(book, EVENT, reference, fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        var evaluated = dev.loyalty.core.rules.RulesEngine.evaluate(RULES, 1, dev.loyalty.core.rules.Tier.MEMBER,
                dev.loyalty.core.rules.CapUsage.none(), event, now, catalog.programZone());
        if (evaluated instanceof dev.loyalty.core.rules.EvaluationOutcome.Refused r) {
            return result(r.refusal());
        }
        var evaluation = ((dev.loyalty.core.rules.EvaluationOutcome.Evaluated) evaluated).evaluation();
        var outcome = dev.loyalty.core.rules.EventRule.apply(book.state.account(), event, evaluation, now, now, catalog, ids);
        if (outcome instanceof dev.loyalty.core.rules.EventRule.Outcome.Refused r) {
            return result(r.refusal());
        }
        var applied = (dev.loyalty.core.rules.EventRule.Outcome.Applied) outcome;
        if (book.created == null) {
            book.created = now;
        }
        // The awards' qualifying days (what MemberTiers.earned writes with them), one decision.
        qualify(book, applied.credits().stream().map(c -> new dev.loyalty.core.tiers.QualifyingDay(
                dev.loyalty.core.tiers.QualifyingPoints.day(now, ZoneOffset.UTC), c.award().pointType(), c.award().points()))
                .toList(), now);
        StoredPurchase stored = new StoredPurchase(amount);
        UUID first = null;
        List<Lot> lots = new ArrayList<>();
        for (var c : applied.credits()) {
            // Awards are unique per (member, reference, rule), not per (kind, reference): like the index, by rule.
            book.kindReferences.remove(c.entry().kind() + " " + c.entry().reference());
            book.append(c.entry(), List.of(), null);
            book.kindReferences.add("AWARD " + c.award().ruleId() + " " + c.entry().reference());
            book.lotSource.put(c.lot().lotId(), c.entry().entryId());
            book.earnLot.put(c.entry().entryId(), c.lot().lotId());
            lots.add(c.lot());
            stored.awards.add(new dev.loyalty.core.returns.PurchaseAward(c.entry().entryId(), c.award().ruleId(),
                    c.award().pointType(), c.award().points(), now, c.lot().lotId()));
            first = first == null ? c.entry().entryId() : first;
        }
        book.priors.put(EVENT + " " + reference, new ReferenceRule.Prior(first, null, fingerprint));
        book.state = book.state.withChanges(applied.after(), lots, List.of());
        purchases.computeIfAbsent(member, m -> new HashMap<>()).put(reference, stored);
        return OpResult.ok(first);
    }

    @Override
    public OpResult returnPurchase(String member, String originalReference, Long amount, String reference, Instant now) {
        dev.loyalty.core.returns.ReturnCommand command = new dev.loyalty.core.returns.ReturnCommand(member, reference,
                originalReference, amount, null, null);
        Optional<Refusal> invalid = dev.loyalty.core.returns.ReturnRules.validate(command, now);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        MemberState state = book == null ? MemberState.empty(new MemberId(member)) : released(book, now);
        String fingerprint = RequestFingerprint.returnEvent(command);
        if (book != null) {
            Optional<OpResult> answered = replayedOrClosed(book, EVENT, reference, fingerprint);
            if (answered.isPresent()) {
                return answered.get();
            }
        }
        StoredPurchase stored = book == null ? null : purchases.getOrDefault(member, Map.of()).get(originalReference);
        Optional<dev.loyalty.core.returns.Purchase> purchase = Optional.empty();
        if (stored != null) {
            List<dev.loyalty.core.returns.PurchaseAward> awards = new ArrayList<>();
            for (var a : stored.awards) {
                // What a storage adapter reads with the purchase: what reversals of the award took.
                long reversed = 0;
                for (Map.Entry<UUID, UUID> r : book.reversesId.entrySet()) {
                    LedgerEntry e = book.entriesById.get(r.getKey());
                    if (r.getValue().equals(a.entryId()) && e.kind() == EntryKind.REVERSAL) {
                        reversed = Math.addExact(reversed, Math.absExact(e.points()));
                    }
                }
                awards.add(new dev.loyalty.core.returns.PurchaseAward(a.entryId(), a.ruleId(), a.pointType(), a.points(),
                        a.occurredAt(), a.lotId(), a.returnedBefore(), reversed));
            }
            purchase = Optional.of(new dev.loyalty.core.returns.Purchase(originalReference, stored.amount,
                    stored.returnedSoFar, awards));
        }
        return switch (dev.loyalty.core.returns.ReturnRules.apply(state, command, purchase, now, ids)) {
            case dev.loyalty.core.returns.ReturnOutcome.Refused r -> result(r.refusal());
            case dev.loyalty.core.returns.ReturnOutcome.Returned r -> {
                UUID first = null;
                for (int i = 0; i < r.awards().size(); i++) {
                    var a = r.awards().get(i);
                    if (a.entry() != null) {
                        book.append(a.entry(), a.allocations(), a.award().entryId());
                        first = first == null ? a.entry().entryId() : first;
                    }
                    stored.awards.set(i, stored.awards.get(i).afterReturn(a.due()));
                }
                stored.returnedSoFar = r.returnedSoFar();
                // What EventService.applyReturn hands to MemberTiers.takenBack: what it took back of each award, on its day.
                qualify(book, r.awards().stream().filter(a -> a.fromOwnLot() + a.fromOtherLots() > 0)
                        .map(a -> new dev.loyalty.core.tiers.QualifyingDay(
                        dev.loyalty.core.tiers.QualifyingPoints.day(a.award().occurredAt(), ZoneOffset.UTC),
                        a.award().pointType(), -(a.fromOwnLot() + a.fromOtherLots()))).toList(), now);
                book.priors.put(EVENT + " " + reference, new ReferenceRule.Prior(first, null, fingerprint));
                book.state = book.state.withChanges(r.after(), r.changedLots(), List.of());
                yield OpResult.ok(first);
            }
        };
    }

    /** The adapter's part of the reference rule: a replay answers the original id, a conflict the refusal. */
    /** The reference rule (a replay or a conflict answers), then the closing: empty means go on. */
    private static Optional<OpResult> replayedOrClosed(Book book, String namespace, String reference, String fingerprint) {
        Optional<OpResult> seen = byReference(book, namespace, reference, fingerprint);
        if (seen.isPresent()) {
            return seen;
        }
        return SpendRules.requireOpen(book.state.memberId(), book.closedAt).map(CoreLedger::result);
    }

    private static Optional<OpResult> byReference(Book book, String namespace, String reference, String fingerprint) {
        return switch (ReferenceRule.decide(book.prior(namespace, reference), fingerprint)) {
            case ReferenceRule.Fresh f -> Optional.empty();
            case ReferenceRule.Replay r -> Optional.of(OpResult.ok(r.prior().transactionId() != null
                    ? r.prior().transactionId() : r.prior().holdId()));
            case ReferenceRule.Conflict c -> Optional.of(result(c.refusal()));
        };
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
        EarnCommand command = new EarnCommand(member, points, type, reference, null, null);
        EarnOutcome outcome = EarnRule.apply(state, command, now, catalog, ids);
        if (outcome instanceof EarnOutcome.Refused refused) {
            return result(refused.refusal());
        }
        String fingerprint = RequestFingerprint.earn(command);
        if (book != null) {
            Optional<OpResult> answered = replayedOrClosed(book, EARN, reference, fingerprint);
            if (answered.isPresent()) {
                return answered.get();
            }
        }
        EarnOutcome.Earned earned = (EarnOutcome.Earned) outcome;
        if (book == null) {
            book = new Book(earned.after().memberId());
            books.put(member, book);
        }
        if (book.created == null) {
            book.created = now;
        }
        qualify(book, new dev.loyalty.core.tiers.QualifyingDay(
                dev.loyalty.core.tiers.QualifyingPoints.day(earned.entry().occurredAt(), ZoneOffset.UTC), type, points), now);
        book.append(earned.entry(), List.of(), null);
        book.priors.put(EARN + " " + reference, ReferenceRule.Prior.entry(earned.entry().entryId(), fingerprint));
        book.lotSource.put(earned.lot().lotId(), earned.entry().entryId());
        book.earnLot.put(earned.entry().entryId(), earned.lot().lotId());
        book.state = book.state.withChanges(earned.after(), List.of(earned.lot()), List.of());
        return OpResult.ok(earned.entry().entryId());
    }

    @Override
    public OpResult redeem(String member, long points, String reference, Instant now) {
        RedeemCommand command = new RedeemCommand(points, reference, null);
        Optional<Refusal> invalid = SpendRules.validateRedeem(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.redeem(command);
        Optional<OpResult> answered = replayedOrClosed(book, SPEND, reference, fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        return switch (SpendRules.redeem(released(book, now), command, now, ids)) {
            case RedeemOutcome.Redeemed redeemed -> {
                book.append(redeemed.entry(), redeemed.allocations(), null);
                book.priors.put(SPEND + " " + reference, ReferenceRule.Prior.entry(redeemed.entry().entryId(), fingerprint));
                book.state = book.state.withChanges(redeemed.after(), redeemed.changedLots(), List.of());
                yield OpResult.ok(redeemed.entry().entryId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public OpResult hold(String member, long points, String reference, Long ttlSeconds, Instant now) {
        HoldCommand command = new HoldCommand(points, reference, ttlSeconds);
        Optional<Refusal> invalid = SpendRules.validateHold(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.hold(command);
        Optional<OpResult> answered = replayedOrClosed(book, SPEND, reference, fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        return switch (SpendRules.placeHold(released(book, now), command, now, ids)) {
            case HoldOutcome.HoldPlaced placed -> {
                book.priors.put(SPEND + " " + reference, ReferenceRule.Prior.hold(placed.hold().holdId(), fingerprint));
                book.state = book.state.withChanges(book.state.account(), List.of(), List.of(placed.hold()));
                yield OpResult.ok(placed.hold().holdId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public OpResult capture(String member, UUID holdId, Long points, Instant now) {
        CaptureCommand command = new CaptureCommand(holdId, points);
        Optional<Refusal> invalid = SpendRules.validateCapture(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        Optional<Hold> hold = holdId == null ? Optional.empty() : book.state.hold(holdId);
        if (hold.isPresent() && hold.get().status() == HoldStatus.CAPTURED) {
            String fingerprint = RequestFingerprint.capture(holdId, points == null ? hold.get().points() : points);
            return switch (ReferenceRule.decide(Optional.of(book.captures.get(holdId)), fingerprint)) {
                case ReferenceRule.Fresh f -> throw new IllegalStateException("a prior was given");
                case ReferenceRule.Replay r -> OpResult.ok(r.prior().transactionId());
                case ReferenceRule.Conflict c -> result(c.refusal());
            };
        }
        Optional<Refusal> closed = SpendRules.requireOpen(new MemberId(member), book.closedAt);
        if (closed.isPresent()) {
            return result(closed.get());
        }
        return switch (SpendRules.capture(released(book, now), command, now, ids)) {
            case CaptureOutcome.Captured captured -> {
                book.append(captured.entry(), captured.allocations(), null);
                book.captures.put(holdId, ReferenceRule.Prior.entry(captured.entry().entryId(),
                        RequestFingerprint.capture(holdId, points == null ? captured.hold().points() : points)));
                book.state = book.state.withChanges(captured.after(), captured.changedLots(), List.of(captured.hold()));
                yield OpResult.ok(captured.entry().entryId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public OpResult voidHold(String member, UUID holdId, Instant now) {
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        Optional<Hold> hold = holdId == null ? Optional.empty() : book.state.hold(holdId);
        if (hold.isPresent() && hold.get().status() == HoldStatus.VOIDED) {
            return OpResult.ok(holdId); // a void has no fields but the hold: a second one is the same request
        }
        Optional<Refusal> closed = SpendRules.requireOpen(new MemberId(member), book.closedAt);
        if (closed.isPresent()) {
            return result(closed.get());
        }
        return switch (SpendRules.voidHold(released(book, now), new VoidCommand(holdId), now)) {
            case VoidOutcome.Voided voided -> {
                book.state = book.state.withChanges(book.state.account(), List.of(), List.of(voided.hold()));
                yield OpResult.ok(voided.hold().holdId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public void defineReward(String rewardId, Instant now) {
        rewards.put(rewardId, new dev.loyalty.core.spend.Reward(rewardId, "sim", REWARD_COST, REWARD_STOCK, REWARD_LIMIT, true));
    }

    @Override
    public long rewardStock(String rewardId) {
        var reward = rewards.get(rewardId);
        return reward == null ? 0 : reward.stock();
    }

    @Override
    public OpResult redeemReward(String member, String rewardId, Integer quantity, String reference, Instant now) {
        var command = new dev.loyalty.core.spend.RedemptionCommand(rewardId, quantity, reference);
        Optional<Refusal> invalid = dev.loyalty.core.spend.RedemptionRules.validate(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.redemption(command);
        Optional<OpResult> answered = replayedOrClosed(book, SPEND, reference, fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        long units = redemptions.values().stream().filter(r -> r.memberId().value().equals(member)
                && r.rewardId().equals(rewardId) && r.status() != dev.loyalty.core.spend.RedemptionStatus.CANCELLED)
                .mapToLong(dev.loyalty.core.spend.Redemption::quantity).sum();
        var reward = rewards.get(rewardId);
        return switch (dev.loyalty.core.spend.RedemptionRules.redeem(released(book, now), reward, units, command, now, ids)) {
            case dev.loyalty.core.spend.RedemptionOutcome.Created c -> {
                var r = c.redeemed();
                book.append(r.entry(), r.allocations(), null);
                book.priors.put(SPEND + " " + reference, ReferenceRule.Prior.entry(c.redemption().redemptionId(), fingerprint));
                book.state = book.state.withChanges(r.after(), r.changedLots(), List.of());
                redemptions.put(c.redemption().redemptionId(), c.redemption());
                rewards.put(rewardId, new dev.loyalty.core.spend.Reward(rewardId, reward.name(), reward.cost(),
                        reward.stock() - c.stockTaken(), reward.perMemberLimit(), reward.active()));
                yield OpResult.ok(c.redemption().redemptionId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    /** The member's own redemption, or none (another member's is not found). */
    private dev.loyalty.core.spend.Redemption redemptionOf(String member, UUID redemptionId) {
        var r = redemptions.get(redemptionId);
        return r != null && r.memberId().value().equals(member) ? r : null;
    }

    @Override
    public OpResult fulfil(String member, UUID redemptionId, Instant now) {
        if (books.get(member) == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.fulfilment(redemptionId, null);
        var r = redemptionOf(member, redemptionId);
        if (r != null && r.status() == dev.loyalty.core.spend.RedemptionStatus.FULFILLED
                && fingerprint.equals(finished.get(redemptionId))) {
            return OpResult.ok(redemptionId);
        }
        return switch (dev.loyalty.core.spend.RedemptionRules.fulfil(r, redemptionId)) {
            case dev.loyalty.core.spend.FulfilOutcome.Fulfilled f -> {
                redemptions.put(redemptionId, f.redemption());
                finished.put(redemptionId, fingerprint);
                yield OpResult.ok(redemptionId);
            }
            case Refused x -> result(x.refusal());
        };
    }

    @Override
    public OpResult cancelRedemption(String member, UUID redemptionId, Instant now) {
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.cancellation(redemptionId, "sim");
        var r = redemptionOf(member, redemptionId);
        if (r != null && r.status() == dev.loyalty.core.spend.RedemptionStatus.CANCELLED
                && fingerprint.equals(finished.get(redemptionId))) {
            return OpResult.ok(redemptionId);
        }
        if (r != null && r.status() == dev.loyalty.core.spend.RedemptionStatus.PENDING) {
            Optional<Refusal> closed = SpendRules.requireOpen(new MemberId(member), book.closedAt);
            if (closed.isPresent()) {
                return result(closed.get());
            }
        }
        var reward = r == null ? null : rewards.get(r.rewardId());
        ReversalContext paid = r == null ? ReversalContext.notFound() : context(book, r.transactionId());
        return switch (dev.loyalty.core.spend.RedemptionRules.cancel(released(book, now), r, redemptionId, reward, paid, "sim",
                now, ids)) {
            case dev.loyalty.core.spend.CancelOutcome.Cancelled c -> {
                if (c.reversal() != null) {
                    var rev = c.reversal();
                    book.append(rev.entry(), rev.allocations(), r.transactionId());
                    book.state = book.state.withChanges(rev.after(), rev.changedLots(), List.of());
                }
                redemptions.put(redemptionId, c.redemption());
                finished.put(redemptionId, fingerprint);
                rewards.put(reward.rewardId(), new dev.loyalty.core.spend.Reward(reward.rewardId(), reward.name(),
                        reward.cost(), reward.stock() + c.stockReturned(), reward.perMemberLimit(), reward.active()));
                yield OpResult.ok(redemptionId);
            }
            case Refused x -> result(x.refusal());
        };
    }

    @Override
    public OpResult reverse(String member, UUID transactionId, Long points, String reference, Instant now) {
        ReversalCommand command = new ReversalCommand(transactionId, points, reference, null);
        Optional<Refusal> invalid = SpendRules.validateReversal(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.reversal(command);
        Optional<OpResult> answered = replayedOrClosed(book, REVERSAL, reference, fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        return switch (SpendRules.reverse(released(book, now), command, context(book, transactionId), now, ids)) {
            case ReversalOutcome.Reversed reversed -> {
                LedgerEntry original = book.entriesById.get(transactionId);
                if (original.kind() == dev.loyalty.core.EntryKind.EARN) {
                    // Taken back on the original earn's day (what LedgerWriter.qualifyingTakenBack does).
                    qualify(book, new dev.loyalty.core.tiers.QualifyingDay(dev.loyalty.core.tiers.QualifyingPoints.day(
                            original.occurredAt(), ZoneOffset.UTC), original.pointType(), reversed.entry().points()), now);
                }
                book.append(reversed.entry(), reversed.allocations(), transactionId);
                book.priors.put(REVERSAL + " " + reference, ReferenceRule.Prior.entry(reversed.entry().entryId(), fingerprint));
                book.state = book.state.withChanges(reversed.after(), reversed.changedLots(), List.of());
                yield OpResult.ok(reversed.entry().entryId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public OpResult adjust(String member, long points, String type, String reference, String reason, Instant now) {
        AdjustCommand command = new AdjustCommand(points, type, reference, reason);
        Optional<Refusal> invalid = SpendRules.validateAdjustment(command, catalog);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.adjustment(command);
        Optional<OpResult> answered = replayedOrClosed(book, ADJUSTMENT, reference, fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        return switch (SpendRules.adjust(released(book, now), command, now, catalog, ids)) {
            case AdjustOutcome.Credited c -> {
                book.append(c.entry(), List.of(), null);
                book.priors.put(ADJUSTMENT + " " + reference, ReferenceRule.Prior.entry(c.entry().entryId(), fingerprint));
                book.lotSource.put(c.lot().lotId(), c.entry().entryId());
                book.state = book.state.withChanges(c.after(), List.of(c.lot()), List.of());
                yield OpResult.ok(c.entry().entryId());
            }
            case AdjustOutcome.Debited d -> {
                book.append(d.entry(), d.allocations(), null);
                book.priors.put(ADJUSTMENT + " " + reference, ReferenceRule.Prior.entry(d.entry().entryId(), fingerprint));
                book.state = book.state.withChanges(d.after(), d.changedLots(), List.of());
                yield OpResult.ok(d.entry().entryId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public OpResult close(String member, String reason, String reference, Instant now) {
        CloseCommand command = new CloseCommand(reason, reference);
        Optional<Refusal> invalid = SpendRules.validateClose(command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        Book book = books.get(member);
        if (book == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.close(command);
        if (book.closedAt != null) {
            return fingerprint.equals(book.closeFingerprint) ? OpResult.ok(null)
                    : result(new Refusal.AccountClosed(new MemberId(member), book.closedAt));
        }
        return switch (SpendRules.close(released(book, now), command, now, ids)) {
            case CloseOutcome.Closed c -> {
                if (c.forfeiture() != null) {
                    book.append(c.forfeiture(), c.allocations(), null);
                }
                book.state = book.state.withChanges(c.after(), c.changedLots(), c.voidedHolds());
                book.closedAt = c.closedAt();
                book.closeFingerprint = fingerprint;
                yield OpResult.ok(null);
            }
            case Refused r -> result(r.refusal());
        };
    }

    /** As an adapter does before every write: store the holds whose time ran out as EXPIRED (the core's rule). */
    private static MemberState released(Book book, Instant now) {
        List<Hold> expired = SpendRules.expiredHolds(book.state, now);
        if (!expired.isEmpty()) {
            book.state = book.state.withChanges(book.state.account(), List.of(), expired);
        }
        return book.state;
    }

    /** What a storage adapter reads for a reversal: the entry, what it moved, and earlier reversals of it. */
    /** What the earn and reversal paths do to the member's tier state: the core's decision, then the rows. */
    private void qualify(Book book, dev.loyalty.core.tiers.QualifyingDay change, Instant now) {
        qualify(book, List.of(change), now);
    }

    private void qualify(Book book, List<dev.loyalty.core.tiers.QualifyingDay> changes, Instant now) {
        if (tiers == null || changes.isEmpty()) {
            return;
        }
        dev.loyalty.core.tiers.TierDecision.Written w = dev.loyalty.core.tiers.TierDecision.onWrite(tiers, book.tierRecord,
                book.created, book.qualifying, changes, now, ZoneOffset.UTC);
        book.tierRecord = w.after().record();
        book.tierHistory.addAll(w.changes());
        book.qualifying = dev.loyalty.core.tiers.QualifyingPoints.apply(book.qualifying, changes);
    }

    @Override
    public dev.loyalty.core.tiers.TierSet tierSet() {
        return tiers;
    }

    @Override
    public TierReading tier(String member, Instant now) {
        Book book = books.get(member);
        // The rows the writes kept step by step are the ones the ledger rebuilds (what the
        // tier-review's qualifying rebuild writes for members whose earns predate the rows).
        List<dev.loyalty.core.tiers.QualifyingSource> sources = book.entries.stream()
                .map(e -> new dev.loyalty.core.tiers.QualifyingSource(e.entryId(), e.kind(), e.points(), e.pointType(),
                        e.occurredAt(), book.reversesId.get(e.entryId()))).toList();
        var rebuilt = nonZero(dev.loyalty.core.tiers.QualifyingPoints.rebuild(sources, ZoneOffset.UTC, java.time.LocalDate.MIN));
        if (!rebuilt.equals(nonZero(book.qualifying))) {
            throw new IllegalStateException("qualifying days of " + member + " kept " + nonZero(book.qualifying)
                    + " but the ledger rebuilds " + rebuilt);
        }
        dev.loyalty.core.tiers.TierDecision.Outcome o = dev.loyalty.core.tiers.TierDecision.read(tiers, book.tierRecord,
                book.created, book.qualifying, now, ZoneOffset.UTC);
        List<String> history = new ArrayList<>();
        java.util.stream.Stream.concat(book.tierHistory.stream(), o.changes().stream())
                .forEach(c -> history.add(TierReading.change(c.from(), c.to(), c.reason().name(), c.at())));
        return new TierReading(o.qualifyingPoints(), o.tier().name(), history);
    }

    private static java.util.Map<String, Long> nonZero(List<dev.loyalty.core.tiers.QualifyingDay> rows) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        rows.forEach(r -> out.merge(r.day() + " " + r.pointType(), r.points(), Long::sum));
        out.values().removeIf(v -> v == 0);
        return out;
    }

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
        Optional<Refusal> invalid = SpendRules.validateTransfer(new MemberId(from), command);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        if (sender == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        String fingerprint = RequestFingerprint.transfer(command);
        Optional<OpResult> seen = byReference(sender, TRANSFER, reference, fingerprint);
        if (seen.isPresent()) {
            return seen.get();
        }
        Book receiver = books.get(to);
        if (receiver == null) {
            return OpResult.rejected(MEMBER_NOT_FOUND);
        }
        Optional<Refusal> closed = SpendRules.requireOpen(new MemberId(from), sender.closedAt)
                .or(() -> SpendRules.requireOpen(new MemberId(to), receiver.closedAt));
        if (closed.isPresent()) {
            return result(closed.get());
        }
        return switch (SpendRules.transfer(released(sender, now), released(receiver, now), command, now, ids)) {
            case TransferOutcome.Transferred t -> {
                // Both sides or neither: nothing below can fail once the rule has answered.
                sender.append(t.out(), t.outAllocations(), null);
                sender.priors.put(TRANSFER + " " + reference, ReferenceRule.Prior.entry(t.out().entryId(), fingerprint));
                sender.state = sender.state.withChanges(t.senderAfter(), t.changedSenderLots(), List.of());
                receiver.append(t.in(), List.of(), null);
                for (Lot lot : t.newReceiverLots()) {
                    receiver.lotSource.put(lot.lotId(), t.in().entryId());
                }
                receiver.state = receiver.state.withChanges(t.receiverAfter(), t.newReceiverLots(), List.of());
                yield OpResult.ok(t.out().entryId());
            }
            case Refused r -> result(r.refusal());
        };
    }

    @Override
    public OpResult expire(Instant now) {
        for (Book book : books.values()) {
            switch (SpendRules.expire(book.state, now, ids)) {
                case ExpireOutcome.Expired expired -> {
                    book.append(expired.entry(), expired.allocations(), null);
                    book.state = book.state.withChanges(expired.after(), expired.changedLots(), expired.releasedHolds());
                }
                case ExpireOutcome.NothingToExpire nothing ->
                        book.state = book.state.withChanges(book.state.account(), List.of(), nothing.releasedHolds());
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
                    lot.earnedAt(), lot.expiresAt(), book.lotSource.get(lot.lotId()), lot.pendingUntil()));
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

    static OpResult result(Refusal refusal) {
        if (refusal instanceof Refusal.ReturnExceedsPurchase r) {
            return new OpResult(false, r.code(), null, r.returnable());
        }
        if (refusal instanceof Refusal.InsufficientPoints r) {
            return OpResult.insufficient(r.available());
        }
        if (refusal instanceof Refusal.NotReversible r) {
            return OpResult.notReversible(r.reversible());
        }
        return OpResult.rejected(refusal.code());
    }
}
