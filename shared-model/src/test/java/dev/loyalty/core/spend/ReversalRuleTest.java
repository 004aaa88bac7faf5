package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.ExpireOutcome.Expired;
import dev.loyalty.core.Refusal.InvalidPoints;
import dev.loyalty.core.Refusal.InvalidText;
import dev.loyalty.core.Refusal.InvalidReference;
import dev.loyalty.core.Refusal.NotReversible;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.spend.ReversalOutcome.Reversed;
import dev.loyalty.core.Refusal.TransactionNotFound;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.loyalty.core.spend.SpendFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReversalRuleTest {

    /** A redeem of 100 spent JULY 50, AUGUST 30, NEVER 20 (in that order); the state is as it left them. */
    static final LedgerEntry REDEEM = entry("redeem", EntryKind.REDEEM, -100, 8, 120);
    static final List<Allocation> SPENT = List.of(take(JULY, 50), take(AUGUST, 30), take(NEVER, 20));
    static final List<Lot> AFTER_REDEEM = List.of(JULY.withRemaining(0), AUGUST.withRemaining(0),
            NEVER.withRemaining(80), EXPIRED);
    static final MemberState STATE = new MemberState(new AccountState(M, 120, 8), AFTER_REDEEM, List.of());
    static final ReversalContext FIRST = ReversalContext.firstReversalOf(REDEEM, SPENT);

    static Object reverse(MemberState state, Long points, ReversalContext ctx) {
        return Unwrapped.reverse(state, new ReversalCommand(ctx.original() == null ? REDEEM.entryId()
                : ctx.original().entryId(), points, "rev-1", "refund"), ctx, NOW, ids(1));
    }

    // --- precedence ---

    static Stream<Object[]> precedence() {
        ReversalContext expire = ReversalContext.firstReversalOf(entry("sweep", EntryKind.EXPIRE, -5, 3, 0), List.of());
        return Stream.of(
                new Object[]{new ReversalCommand(REDEEM.entryId(), 0L, BAD_REF, BAD_DESC), ReversalContext.notFound(),
                        new InvalidPoints(0), "points"},
                new Object[]{new ReversalCommand(REDEEM.entryId(), 1L, BAD_REF, BAD_DESC), ReversalContext.notFound(),
                        new InvalidReference(BAD_REF), "reference"},
                new Object[]{new ReversalCommand(REDEEM.entryId(), 1L, "rev-1", BAD_DESC), ReversalContext.notFound(),
                        new InvalidText("reason", 8, false), "reason"},
                new Object[]{new ReversalCommand(REDEEM.entryId(), 1L, "rev-1", "ok"), ReversalContext.notFound(),
                        new TransactionNotFound(REDEEM.entryId()), "transactionId"},
                new Object[]{new ReversalCommand(id("sweep"), 1L, "rev-1", "ok"), expire,
                        new NotReversible(1, 0), "points"});
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("precedence")
    void earliestRuleWins(ReversalCommand command, ReversalContext ctx, Refusal expected, String field) {
        assertEquals(expected, Unwrapped.reverse(STATE, command, ctx, NOW, noIds()));
        assertEquals(field, expected.field());
        assertFalse(expected.message().isBlank());
    }

    // --- reversal of a redeem ---

    @Test
    void fullReversalRestoresExactlyTheLotsUsedLastSpentFirst() {
        Reversed reversed = assertInstanceOf(Reversed.class, reverse(STATE, null, FIRST));

        assertEquals(new LedgerEntry(newId(1), M, 9, EntryKind.REVERSAL, 100, 220, null, "rev-1", "refund", NOW, NOW),
                reversed.entry());
        assertEquals(List.of(take(NEVER, 20), take(AUGUST, 30), take(JULY, 50)), reversed.allocations());
        assertEquals(List.of(NEVER, AUGUST, JULY), reversed.changedLots()); // back to full, original expiry kept
        assertEquals(new AccountState(M, 220, 9), reversed.after());
    }

    @Test
    void partialReversalsWalkTheAllocationsBackwardsAndNeverOverfillALot() {
        Reversed first = assertInstanceOf(Reversed.class, reverse(STATE, 35L, FIRST));
        assertEquals(List.of(take(NEVER, 20), take(AUGUST, 15)), first.allocations());
        assertEquals(List.of(NEVER, AUGUST.withRemaining(15)), first.changedLots());
        assertEquals(35, first.entry().points());

        MemberState afterFirst = STATE.withChanges(first.after(), first.changedLots(), List.of());
        ReversalContext second = new ReversalContext(REDEEM, SPENT,
                Map.of(NEVER.lotId(), 20L, AUGUST.lotId(), 15L), 35);
        Reversed next = assertInstanceOf(Reversed.class, reverse(afterFirst, 40L, second));
        assertEquals(List.of(take(AUGUST, 15), take(JULY, 25)), next.allocations());
        assertEquals(List.of(AUGUST, JULY.withRemaining(25)), next.changedLots());
        assertEquals(new AccountState(M, 195, 10), next.after());

        MemberState afterSecond = afterFirst.withChanges(next.after(), next.changedLots(), List.of());
        ReversalContext third = new ReversalContext(REDEEM, SPENT,
                Map.of(NEVER.lotId(), 20L, AUGUST.lotId(), 30L, JULY.lotId(), 25L), 75);
        assertEquals(new NotReversible(26, 25), reverse(afterSecond, 26L, third));
        Reversed last = assertInstanceOf(Reversed.class, reverse(afterSecond, null, third));
        assertEquals(List.of(take(JULY, 25)), last.allocations());

        ReversalContext done = new ReversalContext(REDEEM, SPENT,
                Map.of(NEVER.lotId(), 20L, AUGUST.lotId(), 30L, JULY.lotId(), 50L), 100);
        assertEquals(new NotReversible(1, 0), reverse(STATE, 1L, done));
        assertEquals(new NotReversible(0, 0), reverse(STATE, null, done));
    }

    @Test
    void askingMoreThanTheRedeemIsNotReversible() {
        assertEquals(new NotReversible(101, 100), reverse(STATE, 101L, FIRST));
    }

    @Test
    void pointsGoBackToAnExpiredLotAndLeaveAtTheNextSweep() {
        Instant later = Instant.parse("2025-07-15T00:00:00Z"); // JULY has expired, AUGUST has not
        Reversed reversed = assertInstanceOf(Reversed.class, Unwrapped.reverse(STATE,
                new ReversalCommand(REDEEM.entryId(), null, "rev-1", null), FIRST, later, ids(1)));
        MemberState after = STATE.withChanges(reversed.after(), reversed.changedLots(), List.of());

        assertEquals(JULY.expiresAt(), after.lot(JULY.lotId()).orElseThrow().expiresAt());
        assertEquals(220, after.account().balance());
        assertEquals(130, after.available(later)); // AUGUST 30 + NEVER 100; JULY's 50 and EXPIRED's 40 are not
        Expired swept = assertInstanceOf(Expired.class, Unwrapped.expire(after, later, ids(1)));
        assertEquals(List.of(take(EXPIRED, 40), take(JULY, 50)), swept.allocations());
        assertEquals(-90, swept.entry().points());
    }

    // --- reversal of an earn ---

    static final LedgerEntry EARN = entry("earn", EntryKind.EARN, 50, 1, 50);
    static final ReversalContext EARN_CTX = ReversalContext.firstReversalOf(EARN, List.of(take(JULY, 50)));

    @Test
    void earnReversalTakesBackOnlyWhatIsLeftOfItsLot() {
        MemberState partlySpent = state(List.of(JULY.withRemaining(20), NEVER));

        assertEquals(new NotReversible(21, 20), reverse(partlySpent, 21L, EARN_CTX));
        Reversed reversed = assertInstanceOf(Reversed.class, reverse(partlySpent, null, EARN_CTX));

        assertEquals(new LedgerEntry(newId(1), M, 8, EntryKind.REVERSAL, -20, 100, "PURCHASE", "rev-1", "refund", NOW, NOW),
                reversed.entry());
        assertEquals(List.of(take(JULY, 20)), reversed.allocations());
        assertEquals(List.of(JULY.withRemaining(0)), reversed.changedLots());
        assertEquals(new AccountState(M, 100, 8), reversed.after());
    }

    @Test
    void earnReversalCountsEarlierReversals() {
        MemberState state = state(List.of(JULY.withRemaining(45)));
        ReversalContext afterTen = new ReversalContext(EARN, List.of(take(JULY, 50)), Map.of(), 10);
        assertEquals(new NotReversible(41, 40), reverse(state, 41L, afterTen));
        assertEquals(-40, assertInstanceOf(Reversed.class, reverse(state, null, afterTen)).entry().points());
    }

    @Test
    void anEarnWhoseLotIsSpentIsNotReversible() {
        assertEquals(new NotReversible(50, 0), reverse(state(List.of(JULY.withRemaining(0), NEVER)), null, EARN_CTX));
    }

    @Test
    void earnReversalIgnoresHolds() {
        // A reversal is a correction: it wins over a reservation, which then fails at capture.
        MemberState held = state(List.of(JULY), List.of(activeHold("cart", 50)));
        assertInstanceOf(Reversed.class, reverse(held, 50L, EARN_CTX));
    }

    // --- other kinds ---

    static Stream<Object[]> notReversibleKinds() {
        return Stream.of(
                new Object[]{EntryKind.EXPIRE, -30L},
                new Object[]{EntryKind.TRANSFER_OUT, -30L},
                new Object[]{EntryKind.TRANSFER_IN, 30L},
                new Object[]{EntryKind.REVERSAL, 30L},
                new Object[]{EntryKind.ADJUSTMENT, -30L});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notReversibleKinds")
    void otherKindsAreNotReversible(EntryKind kind, long points) {
        ReversalContext ctx = ReversalContext.firstReversalOf(entry("other", kind, points, 3, 100), List.of());
        assertEquals(new NotReversible(5, 0), reverse(STATE, 5L, ctx));
        assertEquals(new NotReversible(30, 0), reverse(STATE, null, ctx));
    }

    // --- caller bugs and foreign transactions ---

    @Test
    void anotherMembersTransactionIsNotFound() {
        LedgerEntry theirs = new LedgerEntry(id("theirs"), new MemberId("m-2"), 1, EntryKind.EARN, 10, 10, "PURCHASE",
                "x", null, NOW, NOW);
        assertEquals(new TransactionNotFound(theirs.entryId()), reverse(STATE, null,
                ReversalContext.firstReversalOf(theirs, List.of(new Allocation(id("their-lot"), 10)))));
    }

    @Test
    void contextsThatContradictThemselvesAreCallerBugs() {
        ReversalCommand command = new ReversalCommand(REDEEM.entryId(), null, "rev-1", null);
        assertThrows(IllegalArgumentException.class, () -> Unwrapped.reverse(STATE,
                new ReversalCommand(id("other"), null, "rev-1", null), FIRST, NOW, ids(1)));
        assertThrows(IllegalArgumentException.class, () -> Unwrapped.reverse(STATE, command,
                ReversalContext.firstReversalOf(REDEEM, List.of(take(JULY, 50))), NOW, ids(1)));
        assertThrows(IllegalArgumentException.class, () -> Unwrapped.reverse(STATE, command,
                new ReversalContext(REDEEM, SPENT, Map.of(), 101), NOW, ids(1)));
        assertThrows(IllegalArgumentException.class, () -> Unwrapped.reverse(STATE, command,
                new ReversalContext(REDEEM, SPENT, Map.of(JULY.lotId(), 51L), 51), NOW, ids(1)));
        assertThrows(IllegalArgumentException.class, () -> Unwrapped.reverse(state(List.of(NEVER.withRemaining(80))), command, FIRST, NOW, ids(1)));
        assertThrows(IllegalArgumentException.class, () -> new ReversalContext(REDEEM, SPENT, Map.of(), -1));
    }
}
