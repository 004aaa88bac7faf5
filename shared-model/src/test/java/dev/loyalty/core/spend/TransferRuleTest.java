package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.Refusal.BalanceOverflow;
import dev.loyalty.core.Refusal.InsufficientPoints;
import dev.loyalty.core.Refusal.InvalidText;
import dev.loyalty.core.Refusal.InvalidMemberId;
import dev.loyalty.core.Refusal.InvalidPoints;
import dev.loyalty.core.Refusal.InvalidReference;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.Refusal.SelfTransfer;
import dev.loyalty.core.spend.TransferOutcome.Transferred;
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
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransferRuleTest {

    static final String BAD_MEMBER = "bad id!";
    /** A receiver at the top of the balance range: any credit overflows. */
    static final MemberState FULL_RECEIVER = new MemberState(new AccountState(OTHER, Long.MAX_VALUE, 9), List.of(), List.of());

    // --- precedence: EMPTY has nothing to send and FULL_RECEIVER can take nothing ---
    // toMemberId's two rules exclude each other (a self-transfer names a valid id), so row 4 cannot also violate row 5.

    static Stream<Object[]> precedence() {
        return Stream.of(
                new Object[]{new TransferCommand(BAD_MEMBER, 0, BAD_REF, BAD_DESC), new InvalidPoints(0), "points"},
                new Object[]{new TransferCommand(BAD_MEMBER, 1, BAD_REF, BAD_DESC), new InvalidReference(BAD_REF), "reference"},
                new Object[]{new TransferCommand(BAD_MEMBER, 1, "gift-1", BAD_DESC), new InvalidText("description", 8, false), "description"},
                new Object[]{new TransferCommand(BAD_MEMBER, 1, "gift-1", "ok"), new InvalidMemberId("toMemberId", BAD_MEMBER), "toMemberId"},
                new Object[]{new TransferCommand("m-1", 1, "gift-1", "ok"), new SelfTransfer(), "toMemberId"},
                new Object[]{new TransferCommand("m-2", 1, "gift-1", "ok"), new InsufficientPoints(1, 0), "points"});
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("precedence")
    void earliestRuleWins(TransferCommand command, Refusal expected, String field) {
        assertEquals(expected, Unwrapped.transfer(EMPTY, FULL_RECEIVER, command, NOW, noIds()));
        assertEquals(field, expected.field());
        assertFalse(expected.message().isBlank());
    }

    @Test
    void lastRowsCloseTheChain() {
        TransferCommand command = new TransferCommand("m-2", 1, "gift-1", "ok");
        assertEquals(new BalanceOverflow(Long.MAX_VALUE, 1), Unwrapped.transfer(state(LOTS), FULL_RECEIVER, command, NOW, noIds()));
        assertInstanceOf(Transferred.class, Unwrapped.transfer(state(LOTS), receiver(0), command, NOW, ids(3)));
    }

    @Test
    void validationNeedsNoReceiver() {
        // The caller checks input before looking the receiver up (unknown receiver = MEMBER_NOT_FOUND).
        TransferCommand self = new TransferCommand("m-1", 5, "gift-1", null);
        assertEquals(Optional.of(new SelfTransfer()), SpendRules.validateTransfer(M, self));
        assertEquals(new SelfTransfer(), Unwrapped.transfer(state(LOTS), null, self, NOW, noIds()));
        assertEquals(Optional.empty(), SpendRules.validateTransfer(M, new TransferCommand("m-2", 5, "gift-1", null)));
        assertThrows(NullPointerException.class, () -> Unwrapped.transfer(state(LOTS), null,
                new TransferCommand("m-2", 5, "gift-1", null), NOW, ids(3)));
    }

    @Test
    void receiverStateMustBeTheNamedMember() {
        assertThrows(IllegalArgumentException.class, () -> Unwrapped.transfer(state(LOTS), receiver(0),
                new TransferCommand("m-3", 5, "gift-1", null), NOW, ids(3)));
    }

    @Test
    void transferMovesLotsKeepingTheirTypeAndDates() {
        MemberState sender = state(LOTS); // 220 balance, version 7
        MemberState receiver = receiver(5); // 5 balance, version 1

        Transferred t = assertInstanceOf(Transferred.class, Unwrapped.transfer(sender, receiver,
                new TransferCommand("m-2", 60, "gift-1", "Happy birthday"), NOW, ids(4)));

        assertEquals(new LedgerEntry(newId(1), M, 8, EntryKind.TRANSFER_OUT, -60, 160, null, "gift-1", "Happy birthday",
                NOW, NOW), t.out());
        assertEquals(List.of(take(JULY, 50), take(AUGUST, 10)), t.outAllocations());
        assertEquals(List.of(JULY.withRemaining(0), AUGUST.withRemaining(20)), t.changedSenderLots());
        assertEquals(new AccountState(M, 160, 8), t.senderAfter());

        assertEquals(new LedgerEntry(newId(2), OTHER, 2, EntryKind.TRANSFER_IN, 60, 65, null, "gift-1", "Happy birthday",
                NOW, NOW), t.in());
        assertEquals(List.of(
                new Lot(newId(3), OTHER, "PURCHASE", 50, 50, JULY.earnedAt(), JULY.expiresAt()),
                new Lot(newId(4), OTHER, "SIGN_IN", 10, 10, AUGUST.earnedAt(), AUGUST.expiresAt())), t.newReceiverLots());
        assertEquals(new AccountState(OTHER, 65, 2), t.receiverAfter());
    }

    @Test
    void neverExpiringPointsStayNeverExpiring() {
        Transferred t = assertInstanceOf(Transferred.class, Unwrapped.transfer(state(List.of(NEVER)), receiver(0),
                new TransferCommand("m-2", 100, "gift-1", null), NOW, ids(3)));
        assertEquals(List.of(new Lot(newId(3), OTHER, "BONUS", 100, 100, NEVER.earnedAt(), null)), t.newReceiverLots());
        assertEquals(new AccountState(OTHER, 100, 1), t.receiverAfter());
    }

    @Test
    void heldPointsCannotBeSent() {
        MemberState sender = state(LOTS, List.of(activeHold("cart", 150))); // 180 - 150
        assertEquals(new InsufficientPoints(31, 30), Unwrapped.transfer(sender, receiver(0),
                new TransferCommand("m-2", 31, "gift-1", null), NOW, noIds()));
        assertInstanceOf(Transferred.class, Unwrapped.transfer(sender, receiver(0),
                new TransferCommand("m-2", 30, "gift-1", null), NOW, ids(3)));
    }
}
