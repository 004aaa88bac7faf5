package dev.loyalty.core.returns;

import dev.loyalty.core.EntryKind;
import dev.loyalty.core.Lot;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.core.spend.MemberState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.loyalty.core.returns.ReturnFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The worked examples, and each refusal in precedence order. */
class ReturnRulesTest {
    static final Instant PENDING_END = T0.plus(Duration.ofDays(15));
    static final Instant EXPIRY = T0.plus(Duration.ofDays(366));

    private static Purchase purchase(Lot own, long points) {
        return new Purchase("order-1", 10_000L, 0,
                List.of(new PurchaseAward(id(), "purchase-base", "PURCHASE", points, T0, own.lotId())));
    }

    private static ReturnOutcome.Returned returned(ReturnOutcome o) {
        return assertInstanceOf(ReturnOutcome.Returned.class, o);
    }

    @Test
    void partialThenRestFromThePendingLotThenNothingLeft() {
        Lot own = lot(100, EXPIRY, PENDING_END);
        MemberState state = state(lotsOf(own), List.of());
        Purchase p = purchase(own, 100);
        Instant now = T0.plus(Duration.ofDays(2));

        ReturnOutcome.Returned first = returned(ReturnRules.apply(state, returning("ret-1", 2_500L), Optional.of(p), now, ids()));
        assertEquals(-25, first.points());
        assertEquals(0, first.shortfall());
        assertEquals(25, first.awards().get(0).fromOwnLot());
        assertEquals(EntryKind.RETURN, first.entries().get(0).kind());
        assertEquals(75, first.after().balance());
        state = after(state, first);
        p = after(p, first);

        ReturnOutcome.Returned rest = returned(ReturnRules.apply(state, returning("ret-2", null), Optional.of(p), now, ids()));
        assertEquals(-75, rest.points());
        assertEquals(7_500, rest.amount());
        assertEquals(0, rest.after().balance());
        state = after(state, rest);
        p = after(p, rest);

        ReturnOutcome third = ReturnRules.apply(state, returning("ret-3", null), Optional.of(p), now, ids());
        assertEquals(new Refusal.ReturnExceedsPurchase(0, 0), ((ReturnOutcome.Refused) third).refusal());
        ReturnOutcome over = ReturnRules.apply(state, returning("ret-4", 1L), Optional.of(p), now, ids());
        assertEquals(Refusal.RETURN_EXCEEDS_PURCHASE, ((ReturnOutcome.Refused) over).refusal().code());
    }

    @Test
    void afterTheWindowSpentPointsComeFromOtherLotsThenShortfall() {
        // 100 from the purchase (available now), 30 from another lot; 80 spent (earliest expiry first:
        // the other lot expires sooner, so it gave 30 and the purchase's lot 50).
        Instant now = PENDING_END.plus(Duration.ofDays(1));
        Lot own = lot(100, EXPIRY, PENDING_END).withRemaining(50);
        Lot other = lot(30, EXPIRY.minus(Duration.ofDays(100)), null).withRemaining(0);
        Lot later = lot(60, null, null);
        MemberState state = state(lotsOf(own, other, later), List.of());
        Purchase p = purchase(own, 100);
        ReturnOutcome.Returned all = returned(ReturnRules.apply(state, returning("ret-1", null), Optional.of(p), now, ids()));
        assertEquals(50, all.awards().get(0).fromOwnLot());
        assertEquals(50, all.awards().get(0).fromOtherLots());
        assertEquals(0, all.shortfall());
        assertEquals(-100, all.points());
        assertEquals(10, all.after().balance());

        // The same with only 20 left in the lot and nothing else: 20 back, 80 shortfall.
        Lot drained = lot(100, EXPIRY, PENDING_END).withRemaining(20);
        MemberState poor = state(lotsOf(drained), List.of());
        ReturnOutcome.Returned some = returned(ReturnRules.apply(poor, returning("ret-1", null),
                Optional.of(purchase(drained, 100)), now, ids()));
        assertEquals(20, some.awards().get(0).fromOwnLot());
        assertEquals(0, some.awards().get(0).fromOtherLots());
        assertEquals(80, some.shortfall());
        assertEquals(0, some.after().balance());
    }

    @Test
    void otherPendingLotsAndHeldPointsAreNeverTaken() {
        Instant now = T0.plus(Duration.ofDays(1));
        Lot own = lot(100, EXPIRY, PENDING_END).withRemaining(0);
        Lot otherPending = lot(500, EXPIRY, PENDING_END);
        Lot available = lot(40, EXPIRY, null);
        Hold hold = new Hold(id(), M, 30, HoldStatus.HELD, "h-1", T0, now.plusSeconds(600));
        MemberState state = state(lotsOf(own, otherPending, available), List.of(hold));
        ReturnOutcome.Returned r = returned(ReturnRules.apply(state, returning("ret-1", null),
                Optional.of(purchase(own, 100)), now, ids()));
        assertEquals(10, r.awards().get(0).fromOtherLots(), "40 available less 30 held");
        assertEquals(90, r.shortfall());
        assertEquals(500, r.changedLots().stream().filter(l -> l.lotId().equals(otherPending.lotId()))
                .findFirst().map(Lot::remainingPoints).orElse(500L));
    }

    @Test
    void threeReturnsOfAThirdTakeBackExactlyTheAward() {
        Lot own = lot(100, EXPIRY, PENDING_END);
        MemberState state = state(lotsOf(own), List.of());
        Purchase p = purchase(own, 100);
        long total = 0;
        for (int i = 0; i < 3; i++) {
            ReturnOutcome.Returned r = returned(ReturnRules.apply(state, returning("ret-" + i, 3_333L), Optional.of(p), T0, ids()));
            total += r.points();
            state = after(state, r);
            p = after(p, r);
        }
        assertEquals(-99, total, "floor(100 * 9999 / 10000)");
        ReturnOutcome.Returned last = returned(ReturnRules.apply(state, returning("ret-last", null), Optional.of(p), T0, ids()));
        assertEquals(1, last.amount());
        assertEquals(-100, total + last.points());
    }

    @Test
    void refusalsInPrecedenceOrder() {
        Lot own = lot(100, EXPIRY, PENDING_END);
        MemberState state = state(lotsOf(own), List.of());
        Purchase p = purchase(own, 100);
        assertEquals(Refusal.VALIDATION_FAILED, refusal(state, new ReturnCommand(M.value(), "ret 1", "order-1", 1L, null, null), p).code());
        assertEquals("originalReference", refusal(state, new ReturnCommand(M.value(), "ret-1", null, 1L, null, null), p).field());
        assertEquals("originalReference", refusal(state, new ReturnCommand(M.value(), "ret-1", "ret-1", 1L, null, null), p).field());
        assertEquals("amount", refusal(state, new ReturnCommand(M.value(), "ret-1", "order-1", 0L, null, null), Optional.empty()).field());
        assertEquals(new Refusal.EventNotFound("order-1"), refusal(state, returning("ret-1", 20_000L), Optional.empty()));
        assertEquals(new Refusal.ReturnExceedsPurchase(20_000, 10_000), refusal(state, returning("ret-1", 20_000L), p));
    }

    @Test
    void aPurchaseWithoutAmountIsOneUnit() {
        Lot own = lot(7, null, null);
        MemberState state = state(lotsOf(own), List.of());
        Purchase p = new Purchase("order-1", null, 0, List.of(new PurchaseAward(id(), "r", "PURCHASE", 7, T0, own.lotId())));
        assertEquals(new Refusal.ReturnExceedsPurchase(2, 1), refusal(state, returning("ret-1", 2L), p));
        ReturnOutcome.Returned r = returned(ReturnRules.apply(state, returning("ret-1", null), Optional.of(p), T0, ids()));
        assertEquals(-7, r.points());
    }

    @Test
    void whatAReversalTookIsNeverTakenBackAgain() {
        Lot own = lot(100, EXPIRY, null).withRemaining(40); // a reversal of the award took 60 from its lot
        Lot other = lot(500, null, null);
        MemberState state = state(lotsOf(own, other), List.of());
        Purchase p = new Purchase("order-1", 10_000L, 0,
                List.of(new PurchaseAward(id(), "purchase-base", "PURCHASE", 100, T0, own.lotId(), 0, 60)));
        ReturnOutcome.Returned half = returned(ReturnRules.apply(state, returning("ret-1", 5_000L), Optional.of(p), T0, ids()));
        assertEquals(-40, half.points(), "owed 50, but only 40 of the award is left after the reversal");
        state = after(state, half);
        p = after(p, half);
        ReturnOutcome.Returned rest = returned(ReturnRules.apply(state, returning("ret-2", null), Optional.of(p), T0, ids()));
        assertEquals(0, rest.points());
        assertEquals(0, rest.shortfall());
        assertEquals(500, rest.after().balance(), "the other lot is untouched");
    }

    @Test
    void anExpiredOwnLotIsLeftToTheSweep() {
        Lot own = lot(100, T0.plus(Duration.ofDays(1)), null);
        Lot other = lot(10, null, null);
        MemberState state = state(lotsOf(own, other), List.of());
        ReturnOutcome.Returned r = returned(ReturnRules.apply(state, returning("ret-1", null),
                Optional.of(purchase(own, 100)), T0.plus(Duration.ofDays(3)), ids()));
        assertEquals(0, r.awards().get(0).fromOwnLot());
        assertEquals(10, r.awards().get(0).fromOtherLots());
        assertEquals(90, r.shortfall());
        assertNull(r.changedLots().stream().filter(l -> l.lotId().equals(own.lotId())).findFirst().orElse(null));
    }

    private static Refusal refusal(MemberState state, ReturnCommand c, Purchase p) {
        return refusal(state, c, Optional.of(p));
    }

    private static Refusal refusal(MemberState state, ReturnCommand c, Optional<Purchase> p) {
        return assertInstanceOf(ReturnOutcome.Refused.class, ReturnRules.apply(state, c, p, T0, ids())).refusal();
    }
}
