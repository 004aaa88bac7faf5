package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Refusal.CaptureExceedsHold;
import dev.loyalty.core.spend.CaptureOutcome.Captured;
import dev.loyalty.core.Refusal.HoldNotActive;
import dev.loyalty.core.Refusal.HoldNotFound;
import dev.loyalty.core.spend.HoldOutcome.HoldPlaced;
import dev.loyalty.core.Refusal.InsufficientPoints;
import dev.loyalty.core.Refusal.InvalidPoints;
import dev.loyalty.core.Refusal.InvalidReference;
import dev.loyalty.core.Refusal.InvalidTtl;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.spend.VoidOutcome.Voided;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.loyalty.core.spend.SpendFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class HoldRulesTest {

    // ===== place =====

    static Stream<Object[]> placePrecedence() {
        return Stream.of(
                new Object[]{new HoldCommand(0, BAD_REF, 0L), new InvalidPoints(0), "points"},
                new Object[]{new HoldCommand(1, BAD_REF, 0L), new InvalidReference(BAD_REF), "reference"},
                new Object[]{new HoldCommand(1, "cart-1", 0L), new InvalidTtl(0), "ttlSeconds"},
                new Object[]{new HoldCommand(1, "cart-1", null), new InsufficientPoints(1, 0), "points"});
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("placePrecedence")
    void placeEarliestRuleWins(HoldCommand command, Refusal expected, String field) {
        assertEquals(expected, Unwrapped.placeHold(EMPTY, command, NOW, noIds()));
        assertEquals(field, expected.field());
        assertFalse(expected.message().isBlank());
    }

    static Stream<Object[]> ttls() {
        return Stream.of(
                new Object[]{null, NOW.plusSeconds(900)},
                new Object[]{1L, NOW.plusSeconds(1)},
                new Object[]{604_800L, NOW.plusSeconds(604_800)},
                new Object[]{0L, null},
                new Object[]{-1L, null},
                new Object[]{604_801L, null},
                new Object[]{Long.MIN_VALUE, null});
    }

    @ParameterizedTest(name = "ttlSeconds {0}")
    @MethodSource("ttls")
    void ttlBoundaries(Long ttlSeconds, java.time.Instant expiresAt) {
        Object outcome = Unwrapped.placeHold(state(LOTS), new HoldCommand(10, "cart-1", ttlSeconds), NOW, ids(1));
        if (expiresAt == null) {
            assertEquals(new InvalidTtl(ttlSeconds), outcome);
        } else {
            assertEquals(expiresAt, assertInstanceOf(HoldPlaced.class, outcome).hold().expiresAt());
        }
    }

    @Test
    void placeReservesAndReportsWhatIsLeft() {
        MemberState state = state(LOTS, List.of(activeHold("earlier", 30))); // 180 spendable - 30 held

        HoldPlaced placed = assertInstanceOf(HoldPlaced.class,
                Unwrapped.placeHold(state, new HoldCommand(150, "cart-1", null), NOW, ids(1)));

        assertEquals(new Hold(newId(1), M, 150, HoldStatus.HELD, "cart-1", NOW, NOW.plusSeconds(900)), placed.hold());
        assertEquals(0, placed.availableAfter());
        assertEquals(new InsufficientPoints(151, 150),
                Unwrapped.placeHold(state, new HoldCommand(151, "cart-1", null), NOW, noIds()));
    }

    // ===== capture =====

    static final Hold ONE = activeHold("one", 1);
    static final Hold VOIDED_ONE = hold("voided-one", 1, HoldStatus.VOIDED, NOW.plusSeconds(600));
    static final UUID UNKNOWN = id("unknown");

    /** Only an expired lot: the active hold of 1 can no longer be covered. */
    static final MemberState UNCOVERED = state(List.of(EXPIRED), List.of(ONE, VOIDED_ONE));

    static Stream<Object[]> capturePrecedence() {
        return Stream.of(
                new Object[]{new CaptureCommand(UNKNOWN, 0L), new InvalidPoints(0)},
                new Object[]{new CaptureCommand(UNKNOWN, 2L), new HoldNotFound(UNKNOWN)},
                new Object[]{new CaptureCommand(VOIDED_ONE.holdId(), 2L), new HoldNotActive(VOIDED_ONE.holdId(), HoldStatus.VOIDED)},
                new Object[]{new CaptureCommand(ONE.holdId(), 2L), new CaptureExceedsHold(2, 1)},
                new Object[]{new CaptureCommand(ONE.holdId(), 1L), new InsufficientPoints(1, 0)});
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("capturePrecedence")
    void captureEarliestRuleWins(CaptureCommand command, Refusal expected) {
        assertEquals(expected, Unwrapped.capture(UNCOVERED, command, NOW, noIds()));
        assertFalse(expected.message().isBlank());
    }

    @Test
    void fullCaptureSpendsInSpendingOrderUnderTheHoldsReference() {
        Hold cart = activeHold("cart", 60);
        MemberState state = state(LOTS, List.of(cart));

        Captured captured = assertInstanceOf(Captured.class,
                Unwrapped.capture(state, new CaptureCommand(cart.holdId(), null), NOW, ids(1)));

        assertEquals(cart.withStatus(HoldStatus.CAPTURED), captured.hold());
        assertEquals(new LedgerEntry(newId(1), M, 8, EntryKind.REDEEM, -60, 160, null, "hold-cart", null, NOW, NOW),
                captured.entry());
        assertEquals(List.of(take(JULY, 50), take(AUGUST, 10)), captured.allocations());
        assertEquals(List.of(JULY.withRemaining(0), AUGUST.withRemaining(20)), captured.changedLots());
        assertEquals(new AccountState(M, 160, 8), captured.after());
        assertEquals(0, captured.releasedPoints());
    }

    @Test
    void partialCaptureReleasesTheRest() {
        Hold cart = activeHold("cart", 60);
        Captured captured = assertInstanceOf(Captured.class,
                Unwrapped.capture(state(LOTS, List.of(cart)), new CaptureCommand(cart.holdId(), 45L), NOW, ids(1)));

        assertEquals(-45, captured.entry().points());
        assertEquals(List.of(take(JULY, 45)), captured.allocations());
        assertEquals(15, captured.releasedPoints());
        assertEquals(HoldStatus.CAPTURED, captured.hold().status());
        assertEquals(60, captured.hold().points()); // the hold keeps what it reserved
    }

    @Test
    void captureMayUseItsOwnReservationButNotAnotherHolds() {
        Hold mine = activeHold("mine", 100);
        Hold theirs = activeHold("theirs", 70);
        MemberState state = state(LOTS, List.of(mine, theirs)); // 180 spendable, 10 available

        assertEquals(10, state.available(NOW));
        assertEquals(new InsufficientPoints(100, 10),
                Unwrapped.redeem(state, new RedeemCommand(100, "r", null), NOW, noIds()));
        assertInstanceOf(Captured.class, Unwrapped.capture(state, new CaptureCommand(mine.holdId(), 100L), NOW, ids(1)));
        // Lots expired under the holds: only 110 left, 70 of it still reserved by the other hold.
        MemberState shrunk = state(List.of(EXPIRED, JULY.withRemaining(10), NEVER), List.of(mine, theirs));
        assertEquals(new InsufficientPoints(100, 40),
                Unwrapped.capture(shrunk, new CaptureCommand(mine.holdId(), null), NOW, noIds()));
        assertInstanceOf(Captured.class, Unwrapped.capture(shrunk, new CaptureCommand(mine.holdId(), 40L), NOW, ids(1)));
    }

    static Stream<Object[]> inactive() {
        return Stream.of(
                new Object[]{"expired at exactly expiresAt, still HELD in storage", hold("h", 10, HoldStatus.HELD, NOW),
                        HoldStatus.EXPIRED},
                new Object[]{"expired and marked", hold("h", 10, HoldStatus.EXPIRED, NOW.minusSeconds(1)), HoldStatus.EXPIRED},
                new Object[]{"captured", hold("h", 10, HoldStatus.CAPTURED, NOW.plusSeconds(60)), HoldStatus.CAPTURED},
                new Object[]{"voided", hold("h", 10, HoldStatus.VOIDED, NOW.plusSeconds(60)), HoldStatus.VOIDED});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inactive")
    void onlyAnActiveHoldCanBeCapturedOrVoided(String name, Hold hold, HoldStatus reported) {
        MemberState state = state(LOTS, List.of(hold));
        assertEquals(new HoldNotActive(hold.holdId(), reported),
                Unwrapped.capture(state, new CaptureCommand(hold.holdId(), null), NOW, noIds()));
        assertEquals(new HoldNotActive(hold.holdId(), reported), Unwrapped.voidHold(state, new VoidCommand(hold.holdId()), NOW));
    }

    @Test
    void aHoldOneNanosecondBeforeExpiryIsStillActive() {
        Hold hold = hold("h", 10, HoldStatus.HELD, NOW.plusNanos(1));
        assertInstanceOf(Captured.class,
                Unwrapped.capture(state(LOTS, List.of(hold)), new CaptureCommand(hold.holdId(), null), NOW, ids(1)));
    }

    @Test
    void captureOfANullHoldIdIsNotFound() {
        assertEquals(new HoldNotFound(null), Unwrapped.capture(state(LOTS), new CaptureCommand(null, null), NOW, noIds()));
    }

    // ===== void =====

    @Test
    void voidPrecedence() {
        assertEquals(new HoldNotFound(UNKNOWN), Unwrapped.voidHold(UNCOVERED, new VoidCommand(UNKNOWN), NOW));
        assertEquals(new HoldNotActive(VOIDED_ONE.holdId(), HoldStatus.VOIDED),
                Unwrapped.voidHold(UNCOVERED, new VoidCommand(VOIDED_ONE.holdId()), NOW));
        assertInstanceOf(Voided.class, Unwrapped.voidHold(UNCOVERED, new VoidCommand(ONE.holdId()), NOW));
    }

    @Test
    void voidReleasesTheReservation() {
        Hold cart = activeHold("cart", 60);
        Hold other = activeHold("other", 20);
        MemberState state = state(LOTS, List.of(cart, other));

        Voided voided = assertInstanceOf(Voided.class, Unwrapped.voidHold(state, new VoidCommand(cart.holdId()), NOW));

        assertEquals(cart.withStatus(HoldStatus.VOIDED), voided.hold());
        assertEquals(160, voided.availableAfter()); // 180 - the other hold's 20
    }

    @Test
    void anotherMembersHoldIsNotFound() {
        // The caller loads only this member's holds, so another member's hold id is simply absent.
        assertEquals(new HoldNotFound(ONE.holdId()),
                Unwrapped.capture(state(LOTS), new CaptureCommand(ONE.holdId(), null), NOW, noIds()));
    }
}
