package dev.loyalty.core.simulation;

import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.HoldStatus;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A deterministic simulation in the manner of TigerBeetle's VOPR: a seeded {@link Workload}
 * drives the system under test and a {@link ReferenceModel} side by side; after every step the
 * outcomes must match (ok, or the same error code and amount) and every member's
 * {@link Snapshot} must satisfy the {@link Invariants} and agree with the model's, entry by
 * entry, lot by lot, hold by hold.
 *
 * <p>A failure is an {@link AssertionError} whose message starts with
 * {@code SIMULATION FAILED seed=<seed> step=<n> op=<op>}, followed by the last steps, so the run
 * can be replayed with that seed.
 */
public final class Simulation {

    /** Where every run's clock starts. */
    public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final int TRACE_STEPS = 25;

    /**
     * The tier set the core simulation ranks members by: thresholds within reach of the
     * workload's earns (mostly 1 to 1,000 points), purchases and sign-ins qualify over twelve
     * rolling months, ten days' grace; time moves forward by minutes to weeks, so members rise,
     * fall below, keep their tier through the grace and drop.
     */
    public static final dev.loyalty.core.tiers.TierSet TIERS = new dev.loyalty.core.tiers.TierSet(
            dev.loyalty.core.tiers.QualifyingWindow.ROLLING_12_MONTHS, java.util.Set.of("PURCHASE", "SIGN_IN"),
            List.of(new dev.loyalty.core.tiers.TierLevel("MEMBER", 0, 10_000),
                    new dev.loyalty.core.tiers.TierLevel("SILVER", 1_500, 12_500),
                    new dev.loyalty.core.tiers.TierLevel("GOLD", 4_000, 15_000)), 10);

    /** What a run did: steps taken, ledger operations among them, and refusals by code. */
    public record Report(long seed, int steps, int operations, Map<String, Integer> rejectionsByCode) {
        public Report {
            rejectionsByCode = Collections.unmodifiableMap(new TreeMap<>(rejectionsByCode));
        }

        public int rejections() {
            return rejectionsByCode.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private Simulation() {
    }

    /**
     * Runs {@code steps} operations of the workload for {@code seed} against {@code sut}, which
     * must not yet know this seed's members.
     */
    public static Report run(long seed, int steps, LedgerUnderTest sut) {
        return new Run(seed, Objects.requireNonNull(sut, "sut")).run(steps);
    }

    private static final class Run {
        final long seed;
        final LedgerUnderTest sut;
        final ReferenceModel model = new ReferenceModel();
        final Workload workload;
        final List<Workload.HoldHandle> holds = new ArrayList<>();
        final Map<UUID, UUID> sutToModelHold = new HashMap<>();
        /** The system's entry and lot ids to the model's, learned as they appear. */
        final Map<UUID, UUID> entryToModel = new HashMap<>();
        final Map<UUID, UUID> lotToModel = new HashMap<>();
        final Map<UUID, UUID> modelLotToSut = new HashMap<>();
        final Map<String, Snapshot> lastSnapshots = new HashMap<>();
        final Map<String, Integer> rejections = new HashMap<>();
        final Deque<String> trace = new ArrayDeque<>();
        final List<Workload.Applied> applied = new ArrayList<>();
        /** Per applied step, the ids each side answered: a same-request retry must answer them again. */
        final Map<Integer, UUID[]> answers = new HashMap<>();
        Instant now = START;
        Instant lastExpireAt;
        int operations;

        Run(long seed, LedgerUnderTest sut) {
            this.seed = seed;
            this.sut = sut;
            this.workload = new Workload(seed);
        }

        Report run(int steps) {
            model.defineReward(workload.reward, now);
            sut.defineReward(workload.reward, now);
            for (int step = 1; step <= steps; step++) {
                Op op = workload.next(step, now, model, holds, lastExpireAt, applied);
                try {
                    step(step, op);
                    checkMembers();
                } catch (AssertionError | RuntimeException failure) {
                    throw new AssertionError("SIMULATION FAILED seed=" + seed + " step=" + step + " op=" + op
                            + "\n" + failure + "\nreplay: -Dsimulation.seed=" + seed + " -Dsimulation.ops=" + steps
                            + "\nlast steps:\n  " + String.join("\n  ", trace), failure);
                }
            }
            return new Report(seed, steps, operations, rejections);
        }

        void step(int step, Op op) {
            if (op instanceof Op.Advance advance) {
                now = now.plus(advance.by());
                remember(step, op, "now " + now);
                return;
            }
            OpResult expected = apply(model, op, true, step);
            OpResult actual = apply(sut, op, false, step);
            operations++;
            remember(step, op, "model " + expected.outcome() + ", system " + actual.outcome());
            if (!expected.outcome().equals(actual.outcome())) {
                throw new AssertionError("outcome: model " + expected.outcome() + ", system " + actual.outcome());
            }
            if (!expected.ok()) {
                rejections.merge(expected.code(), 1, Integer::sum);
                return;
            }
            boolean mayHaveNoId = op instanceof Op.Expire || op instanceof Op.Close || op instanceof Op.Return
                    || (op instanceof Op.Retry r && r.op() instanceof Op.Return);
            if (!mayHaveNoId && actual.id() == null) {
                throw new AssertionError("ok without an id");
            }
            if (op instanceof Op.Retry retry) {
                if (retry.changed()) {
                    throw new AssertionError("a changed request under a used reference was applied");
                }
                UUID[] first = answers.get(retry.originalStep());
                if (!Objects.equals(first[0], expected.id()) || !Objects.equals(first[1], actual.id())) {
                    throw new AssertionError("a retry answered another id than the original: model "
                            + expected.id() + " vs " + first[0] + ", system " + actual.id() + " vs " + first[1]);
                }
                return;
            }
            if (!(op instanceof Op.Expire) && !(op instanceof Op.Close)) {
                applied.add(new Workload.Applied(step, op));
                answers.put(step, new UUID[]{expected.id(), actual.id()});
            }
            if (op instanceof Op.PlaceHold hold) {
                holds.add(new Workload.HoldHandle(hold.member(), hold.points(), expected.id(), actual.id()));
                sutToModelHold.put(actual.id(), expected.id());
            }
            if (op instanceof Op.RedeemReward r) {
                workload.redemptions.add(new Workload.RedemptionHandle(r.member(), expected.id(), actual.id()));
            }
            if (op instanceof Op.Expire) {
                lastExpireAt = now;
            }
        }

        /** Applies {@code op} to one side, naming holds and entries by that side's ids. */
        OpResult apply(LedgerUnderTest ledger, Op op, boolean isModel, int step) {
            UUID unknown = new UUID(0x0BAD_0000_0000_0000L, step);
            return switch (op) {
                case Op.Earn o -> ledger.earn(o.member(), o.points(), o.type(), o.reference(), now);
                case Op.Redeem o -> ledger.redeem(o.member(), o.points(), o.reference(), now);
                case Op.PlaceHold o -> ledger.hold(o.member(), o.points(), o.reference(), o.ttlSeconds(), now);
                case Op.Capture o -> ledger.capture(o.member(), holdId(o.hold(), isModel, unknown), o.points(), now);
                case Op.Void o -> ledger.voidHold(o.member(), holdId(o.hold(), isModel, unknown), now);
                case Op.Reverse o -> ledger.reverse(o.member(), entryId(o.owner(), o.sequence(), isModel, unknown),
                        o.points(), o.reference(), now);
                case Op.Transfer o -> ledger.transfer(o.from(), o.to(), o.points(), o.reference(), now);
                case Op.Adjust o -> ledger.adjust(o.member(), o.points(), o.type(), o.reference(), o.reason(), now);
                case Op.RedeemReward o -> ledger.redeemReward(o.member(), o.rewardId(), o.quantity(), o.reference(), now);
                case Op.Fulfil o -> ledger.fulfil(o.member(), redemptionId(o.redemption(), isModel, unknown), now);
                case Op.CancelRedemption o ->
                        ledger.cancelRedemption(o.member(), redemptionId(o.redemption(), isModel, unknown), now);
                case Op.Retry o -> apply(ledger, o.op(), isModel, step);
                case Op.Purchase o -> ledger.purchase(o.member(), o.amount(), o.reference(), now);
                case Op.Return o -> ledger.returnPurchase(o.member(), o.originalReference(), o.amount(), o.reference(), now);
                case Op.Close o -> ledger.close(o.member(), o.reason(), o.reference(), now);
                case Op.Expire o -> ledger.expire(now);
                case Op.Advance o -> throw new IllegalStateException("advance touches no ledger");
            };
        }

        UUID holdId(int index, boolean isModel, UUID unknown) {
            if (index == Op.UNKNOWN) {
                return unknown;
            }
            Workload.HoldHandle handle = holds.get(index);
            return isModel ? handle.modelId() : handle.sutId();
        }

        UUID redemptionId(int index, boolean isModel, UUID unknown) {
            if (index == Op.UNKNOWN) {
                return unknown;
            }
            Workload.RedemptionHandle handle = workload.redemptions.get(index);
            return isModel ? handle.modelId() : handle.sutId();
        }

        UUID entryId(String owner, long sequence, boolean isModel, UUID unknown) {
            if (sequence == 0) {
                return unknown;
            }
            int index = Math.toIntExact(sequence - 1);
            return isModel ? model.entries(owner).get(index).id
                    : lastSnapshots.get(owner).entries().get(index).entryId();
        }

        void checkMembers() {
            List<Snapshot> all = new ArrayList<>();
            List<String> names = new ArrayList<>(workload.members);
            names.add(workload.ghost);
            for (String member : names) {
                Snapshot actual = sut.snapshot(member, now);
                Snapshot expected = model.snapshot(member, now);
                Invariants.check(actual, now);
                // The model needs no check of its own: it must equal, field by field, a snapshot that passed.
                compare(expected, actual);
                lastSnapshots.put(member, actual);
                all.add(actual);
            }
            Invariants.checkTransfersBalance(all);
            // Tiers: the system's qualifying points and tier, against the model's from-scratch replay.
            dev.loyalty.core.tiers.TierSet tiers = sut.tierSet();
            if (tiers != null) {
                for (Snapshot s : all) {
                    if (s.exists()) {
                        LedgerUnderTest.TierReading expected = model.tier(tiers, s.memberId(), now);
                        LedgerUnderTest.TierReading actual = sut.tier(s.memberId(), now);
                        same(() -> s.memberId() + ": tier", expected, actual);
                    }
                }
            }
            long stock = sut.rewardStock(workload.reward);
            if (stock < 0 || stock > LedgerUnderTest.REWARD_STOCK) {
                throw new AssertionError("reward stock out of bounds: " + stock);
            }
            same(() -> "reward stock", model.rewardStock(workload.reward), stock);
        }

        void compare(Snapshot expected, Snapshot actual) {
            String who = actual.memberId() + ": ";
            same(() -> who + "exists", expected.exists(), actual.exists());
            same(() -> who + "balance", expected.balance(), actual.balance());
            same(() -> who + "available", expected.available(), actual.available());
            same(() -> who + "held", expected.held(), actual.held());
            same(() -> who + "entry count", expected.entries().size(), actual.entries().size());
            same(() -> who + "lot count", expected.lots().size(), actual.lots().size());
            same(() -> who + "hold count", expected.holds().size(), actual.holds().size());

            // Entries line up by sequence; learn id pairs, and insist a system id never changes.
            for (int i = 0; i < actual.entries().size(); i++) {
                UUID known = entryToModel.putIfAbsent(actual.entries().get(i).entryId(), expected.entries().get(i).entryId());
                if (known != null && !known.equals(expected.entries().get(i).entryId())) {
                    throw new AssertionError(who + "entry " + (i + 1) + " changed its id");
                }
            }
            bindNewLots(who, expected, actual);

            for (int i = 0; i < actual.entries().size(); i++) {
                Snapshot.EntryView e = expected.entries().get(i);
                Snapshot.EntryView a = actual.entries().get(i);
                int sequence = i + 1;
                Supplier<String> what0 = () -> who + "entry " + sequence + " ";
                same(() -> what0.get() + "kind", e.kind(), a.kind());
                same(() -> what0.get() + "points", e.points(), a.points());
                same(() -> what0.get() + "balanceAfter", e.balanceAfter(), a.balanceAfter());
                same(() -> what0.get() + "reverses", e.reversesId(), a.reversesId() == null ? null : entryToModel.get(a.reversesId()));
                same(() -> what0.get() + "allocations (lots by model id)", allocations(e.allocations(), null),
                        allocations(a.allocations(), lotToModel));
            }
            Map<UUID, Snapshot.LotView> expectedLots = new HashMap<>();
            expected.lots().forEach(l -> expectedLots.put(l.lotId(), l));
            for (Snapshot.LotView a : actual.lots()) {
                Snapshot.LotView e = expectedLots.get(lotToModel.get(a.lotId()));
                Supplier<String> what0 = () -> who + "lot " + a.lotId() + " ";
                same(() -> what0.get() + "remaining", e.remainingPoints(), a.remainingPoints());
                same(() -> what0.get() + "original", e.originalPoints(), a.originalPoints());
                same(() -> what0.get() + "expiresAt", e.expiresAt(), a.expiresAt());
                same(() -> what0.get() + "pendingUntil", e.pendingUntil(), a.pendingUntil());
            }
            Map<UUID, Snapshot.HoldView> expectedHolds = new HashMap<>();
            expected.holds().forEach(h -> expectedHolds.put(h.holdId(), h));
            for (Snapshot.HoldView a : actual.holds()) {
                Snapshot.HoldView e = expectedHolds.get(sutToModelHold.get(a.holdId()));
                if (e == null) {
                    throw new AssertionError(who + "hold " + a.holdId() + " was never placed");
                }
                Supplier<String> what0 = () -> who + "hold " + a.holdId() + " ";
                same(() -> what0.get() + "points", e.points(), a.points());
                same(() -> what0.get() + "expiresAt", e.expiresAt(), a.expiresAt());
                same(() -> what0.get() + "status", effective(e, now), effective(a, now));
            }
        }

        /**
         * Pairs each new lot of the system with the model's lot from the same entry and with the
         * same type, dates and points (lots that agree on all of those are interchangeable).
         */
        void bindNewLots(String who, Snapshot expected, Snapshot actual) {
            for (Snapshot.LotView a : actual.lots()) {
                if (lotToModel.containsKey(a.lotId())) {
                    continue;
                }
                UUID source = entryToModel.get(a.sourceEntryId());
                Snapshot.LotView match = null;
                for (Snapshot.LotView e : expected.lots()) {
                    if (!modelLotToSut.containsKey(e.lotId()) && e.sourceEntryId().equals(source)
                            && e.pointType().equals(a.pointType()) && e.earnedAt().equals(a.earnedAt())
                            && Objects.equals(e.expiresAt(), a.expiresAt()) && e.originalPoints() == a.originalPoints()) {
                        match = e;
                        break;
                    }
                }
                if (match == null) {
                    throw new AssertionError(who + "lot " + a.lotId() + " (" + a + ") has no counterpart in the model");
                }
                lotToModel.put(a.lotId(), match.lotId());
                modelLotToSut.put(match.lotId(), a.lotId());
                model.bindLot(match.lotId(), a.lotId());
            }
        }

        static Map<UUID, Long> allocations(List<Allocation> allocations, Map<UUID, UUID> toModel) {
            Map<UUID, Long> byLot = new HashMap<>();
            for (Allocation a : allocations) {
                byLot.put(toModel == null ? a.lotId() : toModel.get(a.lotId()), a.points());
            }
            return byLot;
        }

        static HoldStatus effective(Snapshot.HoldView hold, Instant now) {
            return hold.status() == HoldStatus.HELD && !now.isBefore(hold.expiresAt()) ? HoldStatus.EXPIRED : hold.status();
        }

        /** The description is built only on failure: this runs millions of times. */
        static void same(Supplier<String> what, Object expected, Object actual) {
            if (!Objects.equals(expected, actual)) {
                throw new AssertionError(what.get() + ": model " + expected + ", system " + actual);
            }
        }

        static void same(Supplier<String> what, long expected, long actual) {
            if (expected != actual) {
                throw new AssertionError(what.get() + ": model " + expected + ", system " + actual);
            }
        }

        void remember(int step, Op op, String outcome) {
            trace.addLast("step " + step + " at " + now + ": " + op + " -> " + outcome);
            if (trace.size() > TRACE_STEPS) {
                trace.removeFirst();
            }
        }
    }
}
