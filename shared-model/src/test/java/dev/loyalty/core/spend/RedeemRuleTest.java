package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.Refusal.InsufficientPoints;
import dev.loyalty.core.Refusal.InvalidText;
import dev.loyalty.core.Refusal.InvalidPoints;
import dev.loyalty.core.Refusal.InvalidReference;
import dev.loyalty.core.spend.RedeemOutcome.Redeemed;
import dev.loyalty.core.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static dev.loyalty.core.spend.SpendFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RedeemRuleTest {

    static Object redeem(MemberState state, long points) {
        return Unwrapped.redeem(state, new RedeemCommand(points, "order-9", null), NOW, ids(1));
    }

    // --- precedence: row k fixes rules 1..k-1 and still violates rules k..4 (EMPTY has nothing to spend) ---

    static Stream<Object[]> precedence() {
        return Stream.of(
                new Object[]{new RedeemCommand(0, BAD_REF, BAD_DESC), new InvalidPoints(0), "points"},
                new Object[]{new RedeemCommand(1, BAD_REF, BAD_DESC), new InvalidReference(BAD_REF), "reference"},
                new Object[]{new RedeemCommand(1, "order-9", BAD_DESC), new InvalidText("description", 8, false), "description"},
                new Object[]{new RedeemCommand(1, "order-9", "ok"), new InsufficientPoints(1, 0), "points"});
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("precedence")
    void earliestRuleWins(RedeemCommand command, Refusal expected, String field) {
        Object outcome = Unwrapped.redeem(EMPTY, command, NOW, noIds());
        assertEquals(expected, outcome);
        assertEquals(field, expected.field());
        assertFalse(expected.message().isBlank());
        // The pure validation agrees on everything that needs no state.
        assertEquals(expected instanceof InsufficientPoints ? Optional.empty() : Optional.of(expected),
                SpendRules.validateRedeem(command));
    }

    @Test
    void lastPrecedenceRowIsAcceptedOnceThereArePoints() {
        assertInstanceOf(Redeemed.class, Unwrapped.redeem(state(LOTS), new RedeemCommand(1, "order-9", "ok"), NOW, ids(1)));
    }

    // --- boundaries ---

    static Stream<Object[]> amounts() {
        Hold held = activeHold("h", 80);
        return Stream.of(
                new Object[]{"points 1,000,000,001", state(LOTS), 1_000_000_001L, new InvalidPoints(1_000_000_001L)},
                new Object[]{"points -1", state(LOTS), -1L, new InvalidPoints(-1)},
                new Object[]{"exactly the spendable 180", state(LOTS), 180L, null},
                new Object[]{"181: the unswept expired 40 is not spendable", state(LOTS), 181L, new InsufficientPoints(181, 180)},
                new Object[]{"exactly available with a hold of 80", state(LOTS, List.of(held)), 100L, null},
                new Object[]{"one over available with a hold of 80", state(LOTS, List.of(held)), 101L,
                        new InsufficientPoints(101, 100)},
                new Object[]{"an expired hold reserves nothing", state(LOTS, List.of(hold("old", 80, HoldStatus.HELD, NOW))),
                        180L, null},
                new Object[]{"a voided hold reserves nothing",
                        state(LOTS, List.of(hold("v", 80, HoldStatus.VOIDED, NOW.plusSeconds(60)))), 180L, null},
                new Object[]{"holds above the lots leave 0, not a debt", state(List.of(JULY), List.of(held)), 1L,
                        new InsufficientPoints(1, 0)});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("amounts")
    void amountBoundary(String name, MemberState state, long points, Refusal expected) {
        Object outcome = redeem(state, points);
        if (expected == null) {
            assertEquals(points, -assertInstanceOf(Redeemed.class, outcome).entry().points());
        } else {
            assertEquals(expected, outcome);
        }
    }

    // --- success ---

    @Test
    void redeemSpansLotsInSpendingOrderWithExactEntryAndLots() {
        MemberState state = state(LOTS); // balance 220, version 7

        Redeemed redeemed = assertInstanceOf(Redeemed.class,
                Unwrapped.redeem(state, new RedeemCommand(100, "order-9", "Basket #9"), NOW, ids(1)));

        assertEquals(new LedgerEntry(newId(1), M, 8, EntryKind.REDEEM, -100, 120, null, "order-9", "Basket #9", NOW, NOW),
                redeemed.entry());
        assertEquals(List.of(take(JULY, 50), take(AUGUST, 30), take(NEVER, 20)), redeemed.allocations());
        assertEquals(List.of(JULY.withRemaining(0), AUGUST.withRemaining(0), NEVER.withRemaining(80)),
                redeemed.changedLots());
        assertEquals(new AccountState(M, 120, 8), redeemed.after());
    }

    @Test
    void expiredLotIsNeitherSpentNorChanged() {
        Redeemed redeemed = assertInstanceOf(Redeemed.class, redeem(state(List.of(EXPIRED, NEVER)), 10));
        assertEquals(List.of(take(NEVER, 10)), redeemed.allocations());
        assertEquals(List.of(NEVER.withRemaining(90)), redeemed.changedLots());
    }

    @Test
    void aPartlySpentLotIsSpentFromWhatRemains() {
        Lot partly = JULY.withRemaining(5);
        Redeemed redeemed = assertInstanceOf(Redeemed.class, redeem(state(List.of(partly, NEVER)), 7));
        assertEquals(List.of(take(JULY, 5), take(NEVER, 2)), redeemed.allocations());
        assertEquals(List.of(JULY.withRemaining(0), NEVER.withRemaining(98)), redeemed.changedLots());
    }
}
