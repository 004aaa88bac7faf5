package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.Lot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.loyalty.core.spend.SpendFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HoldAndMemberStateTest {

    @Test
    void holdIsActiveOnlyWhileHeldAndBeforeExpiry() {
        Hold hold = hold("h", 10, HoldStatus.HELD, NOW);
        assertTrue(hold.isActiveAt(NOW.minusNanos(1)));
        assertFalse(hold.isActiveAt(NOW));
        assertEquals(HoldStatus.HELD, hold.effectiveStatusAt(NOW.minusNanos(1)));
        assertEquals(HoldStatus.EXPIRED, hold.effectiveStatusAt(NOW));
        assertFalse(hold.withStatus(HoldStatus.VOIDED).isActiveAt(NOW.minusSeconds(60)));
        assertEquals(HoldStatus.VOIDED, hold.withStatus(HoldStatus.VOIDED).effectiveStatusAt(NOW));
    }

    @Test
    void ttlLimits() {
        assertEquals(900, Hold.HOLD_TTL_SECONDS_DEFAULT);
        assertEquals(604_800, Hold.HOLD_TTL_SECONDS_MAX);
        assertTrue(Hold.isValidTtlSeconds(1));
        assertTrue(Hold.isValidTtlSeconds(604_800));
        assertFalse(Hold.isValidTtlSeconds(0));
        assertFalse(Hold.isValidTtlSeconds(604_801));
    }

    @Test
    void holdRejectsWhatStorageCouldNotHold() {
        assertThrows(IllegalArgumentException.class, () -> new Hold(id("h"), M, 0, HoldStatus.HELD, "r", NOW, NOW.plusSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new Hold(id("h"), M, 1_000_000_001L, HoldStatus.HELD, "r", NOW, NOW.plusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Hold(id("h"), M, 1, HoldStatus.HELD, "a b", NOW, NOW.plusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Hold(id("h"), M, 1, HoldStatus.HELD, "r", NOW, NOW));
        assertThrows(NullPointerException.class, () -> new Hold(id("h"), M, 1, null, "r", NOW, NOW.plusSeconds(1)));
    }

    @Test
    void availableIsUnexpiredLotsMinusActiveHoldsNeverBelowZero() {
        MemberState state = state(LOTS, List.of(activeHold("a", 100), hold("gone", 500, HoldStatus.HELD, NOW),
                hold("done", 500, HoldStatus.CAPTURED, NOW.plusSeconds(60))));
        assertEquals(100, state.held(NOW));
        assertEquals(80, state.available(NOW)); // 180 spendable (not EXPIRED's 40) - 100
        assertEquals(0, state(List.of(JULY), List.of(activeHold("a", 100))).available(NOW));
        assertEquals(0, EMPTY.available(NOW));
    }

    @Test
    void lookups() {
        Hold a = activeHold("a", 1);
        MemberState state = state(LOTS, List.of(a));
        assertEquals(Optional.of(a), state.hold(a.holdId()));
        assertEquals(Optional.empty(), state.hold(id("nope")));
        assertEquals(Optional.of(JULY), state.lot(JULY.lotId()));
        assertEquals(Optional.empty(), state.lot(id("nope")));
    }

    @Test
    void stateHoldsOnlyItsOwnMembersLotsAndHoldsOnce() {
        AccountState account = new AccountState(M, 50, 1);
        Lot foreignLot = new Lot(id("f"), OTHER, "BONUS", 5, 5, NOW, null);
        Hold foreignHold = new Hold(id("fh"), OTHER, 5, HoldStatus.HELD, "r", NOW, NOW.plusSeconds(5));
        assertThrows(IllegalArgumentException.class, () -> new MemberState(account, List.of(foreignLot), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new MemberState(account, List.of(), List.of(foreignHold)));
        assertThrows(IllegalArgumentException.class, () -> new MemberState(account, List.of(JULY, JULY), List.of()));
        Hold h = activeHold("h", 1);
        assertThrows(IllegalArgumentException.class, () -> new MemberState(account, List.of(), List.of(h, h)));
    }

    @Test
    void stateIsAnImmutableCopy() {
        List<Lot> lots = new ArrayList<>(List.of(JULY));
        MemberState state = state(lots);
        lots.add(NEVER);
        assertEquals(List.of(JULY), state.lots());
        assertThrows(UnsupportedOperationException.class, () -> state.lots().add(NEVER));
    }

    @Test
    void withChangesReplacesByIdAndAppendsNew() {
        Hold a = activeHold("a", 1);
        MemberState state = state(List.of(JULY, NEVER), List.of(a));
        MemberState after = state.withChanges(new AccountState(M, 1, 9), List.of(JULY.withRemaining(1), AUGUST),
                List.of(a.withStatus(HoldStatus.VOIDED)));
        assertEquals(List.of(JULY.withRemaining(1), NEVER, AUGUST), after.lots());
        assertEquals(List.of(a.withStatus(HoldStatus.VOIDED)), after.holds());
        assertEquals(new AccountState(M, 1, 9), after.account());
    }
}
