package dev.loyalty.core.spend;

import dev.loyalty.core.Lot;
import dev.loyalty.core.Refusal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.UUID;

import static dev.loyalty.core.spend.SpendFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RedemptionRulesTest {
    // Available at NOW: JULY 50, AUGUST 30, NEVER 100 (EXPIRED is not spendable) = 180.
    static final Reward MUG = new Reward("mug", "Mug", 40, 10L, null, true);

    static Refusal refusal(Object outcome) {
        return assertInstanceOf(Refused.class, outcome).refusal();
    }

    static RedemptionOutcome redeem(Reward reward, long held, Integer quantity, Supplier<UUID> ids) {
        return RedemptionRules.redeem(state(LOTS), reward, held, new RedemptionCommand("mug", quantity, "r-1"), NOW, ids);
    }

    @Test
    void redeemsInSpendingOrderAndTakesTheStock() {
        var created = assertInstanceOf(RedemptionOutcome.Created.class, redeem(MUG, 0, 2, ids(2)));
        Redemption r = created.redemption();
        assertEquals(newId(2), r.redemptionId());
        assertEquals(newId(1), r.transactionId());
        assertEquals(newId(1), created.redeemed().entry().entryId());
        assertEquals(RedemptionStatus.PENDING, r.status());
        assertEquals(80, r.points());
        assertEquals(2, r.quantity());
        assertEquals(2, created.stockTaken());
        assertEquals(-80, created.redeemed().entry().points());
        assertEquals(state(LOTS).account().balance() - 80, created.redeemed().after().balance());
        // The core's order: the lot that expires first, then the next.
        assertEquals(List.of(take(JULY, 50), take(AUGUST, 30)), created.redeemed().allocations());
        // Exactly what SpendRules.redeem decides for the same points.
        var plain = assertInstanceOf(RedeemOutcome.Redeemed.class, SpendRules.redeem(state(LOTS),
                new RedeemCommand(80, "r-1", "reward mug x 2"), NOW, ids(1)));
        assertEquals(plain, created.redeemed());
    }

    @Test
    void anUnlimitedRewardTakesNoStockAndDefaultsToOneUnit() {
        Reward unlimited = new Reward("mug", "Mug", 40, null, null, true);
        var created = assertInstanceOf(RedemptionOutcome.Created.class, redeem(unlimited, 0, null, ids(2)));
        assertEquals(0, created.stockTaken());
        assertEquals(1, created.redemption().quantity());
        assertEquals(40, created.redemption().points());
    }

    @Test
    void refusalsInOrder() {
        assertEquals(Refusal.VALIDATION_FAILED, refusal(redeem(MUG, 0, 0, noIds())).code());
        assertEquals("quantity", refusal(redeem(MUG, 0, 101, noIds())).field());
        assertEquals("rewardId", refusal(RedemptionRules.redeem(state(LOTS), MUG, 0,
                new RedemptionCommand("bad id", 1, "r-1"), NOW, noIds())).field());
        assertEquals("reference", refusal(RedemptionRules.redeem(state(LOTS), MUG, 0,
                new RedemptionCommand("mug", 1, BAD_REF), NOW, noIds())).field());
        assertInstanceOf(Refusal.RewardNotFound.class, refusal(redeem(null, 0, 1, noIds())));
        assertInstanceOf(Refusal.RewardInactive.class,
                refusal(redeem(new Reward("mug", "Mug", 40, 10L, null, false), 0, 1, noIds())));
        // The limit counts PENDING + FULFILLED units already held.
        Reward limited = new Reward("mug", "Mug", 1, 10L, 3, true);
        assertEquals(new Refusal.RedemptionLimitReached(3, 2), refusal(redeem(limited, 2, 2, noIds())));
        assertInstanceOf(RedemptionOutcome.Created.class, redeem(limited, 2, 1, ids(2)));
        // Stock before points: a sold-out reward is sold out whatever the member holds.
        assertEquals(new Refusal.OutOfStock("mug", 3, 2), refusal(redeem(new Reward("mug", "Mug", 1000, 2L, null, true),
                0, 3, noIds())));
        assertEquals(new Refusal.OutOfStock("mug", 1, 0), refusal(redeem(new Reward("mug", "Mug", 1, 0L, null, true),
                0, 1, noIds())));
        // 5 x 40 = 200 > 180 available: stock is there, points are not.
        assertEquals(new Refusal.InsufficientPoints(200, 180), refusal(redeem(MUG, 0, 5, noIds())));
        // Over what one operation may move.
        assertEquals("quantity", refusal(redeem(new Reward("mug", "Mug", 1_000_000_000L, null, null, true), 0, 2,
                noIds())).field());
    }

    static Redemption pending(Reward reward, int quantity) {
        var created = assertInstanceOf(RedemptionOutcome.Created.class,
                RedemptionRules.redeem(state(LOTS), reward, 0, new RedemptionCommand("mug", quantity, "r-1"), NOW, ids(2)));
        return created.redemption();
    }

    @Test
    void cancelRestoresExactlyTheLotsSpentAndTheStock() {
        var created = assertInstanceOf(RedemptionOutcome.Created.class, redeem(MUG, 0, 2, ids(2)));
        MemberState after = state(LOTS).withChanges(created.redeemed().after(), created.redeemed().changedLots(), List.of());
        ReversalContext paid = ReversalContext.firstReversalOf(created.redeemed().entry(), created.redeemed().allocations());
        var cancelled = assertInstanceOf(CancelOutcome.Cancelled.class, RedemptionRules.cancel(after,
                created.redemption(), created.redemption().redemptionId(), MUG, paid, "out of mugs", NOW, ids(1)));
        assertEquals(RedemptionStatus.CANCELLED, cancelled.redemption().status());
        assertEquals(2, cancelled.stockReturned());
        assertEquals(80, cancelled.reversal().entry().points());
        assertEquals("cancel:" + created.redemption().redemptionId(), cancelled.reversal().entry().reference());
        assertEquals(state(LOTS).account().balance(), cancelled.reversal().after().balance());
        MemberState restored = after.withChanges(cancelled.reversal().after(), cancelled.reversal().changedLots(), List.of());
        for (Lot lot : LOTS) {
            assertEquals(lot, restored.lot(lot.lotId()).orElseThrow(), "lot " + lot.lotId());
        }
        // Exactly the core's reversal of the REDEEM.
        assertEquals(SpendRules.reverse(after, new ReversalCommand(created.redemption().transactionId(), null,
                        RedemptionRules.cancelReference(created.redemption().redemptionId()), "out of mugs"), paid, NOW, ids(1)),
                cancelled.reversal());
    }

    @Test
    void fulfilAndCancelOnlyFromPending() {
        Redemption r = pending(MUG, 1);
        var fulfilled = assertInstanceOf(FulfilOutcome.Fulfilled.class, RedemptionRules.fulfil(r, r.redemptionId()));
        assertEquals(RedemptionStatus.FULFILLED, fulfilled.redemption().status());
        Redemption done = fulfilled.redemption();
        assertEquals(new Refusal.RedemptionNotPending(r.redemptionId(), RedemptionStatus.FULFILLED),
                refusal(RedemptionRules.fulfil(done, r.redemptionId())));
        ReversalContext unused = ReversalContext.notFound();
        assertEquals(new Refusal.RedemptionNotPending(r.redemptionId(), RedemptionStatus.FULFILLED),
                refusal(RedemptionRules.cancel(state(LOTS), done, r.redemptionId(), MUG, unused, "why", NOW, noIds())));
        Redemption cancelled = r.withStatus(RedemptionStatus.CANCELLED);
        assertEquals(new Refusal.RedemptionNotPending(r.redemptionId(), RedemptionStatus.CANCELLED),
                refusal(RedemptionRules.fulfil(cancelled, r.redemptionId())));
        assertEquals(new Refusal.RedemptionNotPending(r.redemptionId(), RedemptionStatus.CANCELLED),
                refusal(RedemptionRules.cancel(state(LOTS), cancelled, r.redemptionId(), MUG, unused, "why", NOW, noIds())));
        UUID unknown = id("unknown");
        assertEquals(new Refusal.RedemptionNotFound(unknown), refusal(RedemptionRules.fulfil(null, unknown)));
        assertEquals(new Refusal.RedemptionNotFound(unknown),
                refusal(RedemptionRules.cancel(state(LOTS), null, unknown, MUG, unused, "why", NOW, noIds())));
        assertEquals("reason", refusal(RedemptionRules.cancel(state(LOTS), r, r.redemptionId(), MUG, unused, null, NOW,
                noIds())).field());
    }

    @Test
    void aCancelNeverGivesBackWhatAnOperatorsReversalAlreadyDid() {
        var created = assertInstanceOf(RedemptionOutcome.Created.class, redeem(MUG, 0, 1, ids(2)));
        MemberState after = state(LOTS).withChanges(created.redeemed().after(), created.redeemed().changedLots(), List.of());
        // 10 of the 40 already reversed (restored to JULY): the cancel gives back the other 30.
        Lot julyAfter = after.lot(JULY.lotId()).orElseThrow();
        MemberState partly = after.withChanges(after.account().advance(10),
                List.of(julyAfter.withRemaining(julyAfter.remainingPoints() + 10)), List.of());
        ReversalContext tenBack = new ReversalContext(created.redeemed().entry(), created.redeemed().allocations(),
                Map.of(JULY.lotId(), 10L), 10L);
        var rest = assertInstanceOf(CancelOutcome.Cancelled.class, RedemptionRules.cancel(partly, created.redemption(),
                created.redemption().redemptionId(), MUG, tenBack, "why", NOW, ids(1)));
        assertEquals(30, rest.reversal().entry().points());
        assertEquals(state(LOTS).account().balance(), rest.balanceAfter());
        assertEquals(1, rest.stockReturned());
        // All of it already reversed: nothing more, but the redemption is cancelled and the unit returns.
        ReversalContext allBack = new ReversalContext(created.redeemed().entry(), created.redeemed().allocations(),
                Map.of(JULY.lotId(), 40L), 40L);
        var none = assertInstanceOf(CancelOutcome.Cancelled.class, RedemptionRules.cancel(partly, created.redemption(),
                created.redemption().redemptionId(), MUG, allBack, "why", NOW, noIds()));
        assertEquals(null, none.reversal());
        assertEquals(RedemptionStatus.CANCELLED, none.redemption().status());
        assertEquals(partly.account().balance(), none.balanceAfter());
        assertEquals(1, none.stockReturned());
    }
}
