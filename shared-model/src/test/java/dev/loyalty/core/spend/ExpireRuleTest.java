package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.spend.ExpireOutcome.Expired;
import dev.loyalty.core.spend.ExpireOutcome.NothingToExpire;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.loyalty.core.spend.SpendFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ExpireRuleTest {

    /** Expires at exactly NOW: gone (the boundary is inclusive). */
    static final Lot AT_NOW = lot("at-now", "SIGN_IN", 9, 7, "2025-05-15T00:00:00Z", "2025-06-15T12:00:00Z");
    /** Expires one nanosecond after NOW: still there. */
    static final Lot NEXT_NANO = new Lot(id("next-nano"), M, "SIGN_IN", 3, 3, at("2025-05-15T00:00:00Z"), NOW.plusNanos(1));
    /** Expired and already empty: nothing to take, so not in the entry. */
    static final Lot EMPTY_EXPIRED = lot("empty-expired", "PROMO", 10, 0, "2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z");

    @Test
    void allExpiredLotsGoInOneEntry() {
        MemberState state = state(List.of(AT_NOW, JULY, EMPTY_EXPIRED, NEVER, EXPIRED, NEXT_NANO)); // 200, version 7

        Expired expired = assertInstanceOf(Expired.class, Unwrapped.expire(state, NOW, ids(1)));

        assertEquals(new LedgerEntry(newId(1), M, 8, EntryKind.EXPIRE, -47, 153, null, "expire:1749988800000", "points expired", NOW, NOW),
                expired.entry());
        assertEquals(List.of(take(EXPIRED, 40), take(AT_NOW, 7)), expired.allocations()); // spending order
        assertEquals(List.of(EXPIRED.withRemaining(0), AT_NOW.withRemaining(0)), expired.changedLots());
        assertEquals(new AccountState(M, 153, 8), expired.after());
        assertEquals(List.of(), expired.releasedHolds());
    }

    @Test
    void activeHoldsStayAndExpiredOnesAreReleased() {
        Hold active = activeHold("active", 50);
        Hold timedOut = hold("timed-out", 20, HoldStatus.HELD, NOW);
        Hold voided = hold("voided", 20, HoldStatus.VOIDED, NOW.minusSeconds(1));
        MemberState state = state(List.of(EXPIRED, JULY), List.of(active, timedOut, voided));

        Expired expired = assertInstanceOf(Expired.class, Unwrapped.expire(state, NOW, ids(1)));

        assertEquals(List.of(timedOut.withStatus(HoldStatus.EXPIRED)), expired.releasedHolds());
        MemberState after = state.withChanges(expired.after(), expired.changedLots(), expired.releasedHolds());
        assertEquals(0, after.available(NOW)); // JULY 50, all still reserved by the active hold
        assertEquals(50, after.held(NOW));
    }

    @Test
    void nothingToExpireStillReleasesTimedOutHolds() {
        Hold timedOut = hold("timed-out", 20, HoldStatus.HELD, NOW.minusSeconds(5));
        assertEquals(new NothingToExpire(List.of(timedOut.withStatus(HoldStatus.EXPIRED))),
                Unwrapped.expire(state(List.of(JULY, NEXT_NANO, EMPTY_EXPIRED), List.of(timedOut)), NOW, noIds()));
        assertEquals(new NothingToExpire(List.of()), Unwrapped.expire(EMPTY, NOW, noIds()));
    }

    @Test
    void sweepingTwiceExpiresNothingTheSecondTime() {
        MemberState state = state(List.of(EXPIRED, NEVER));
        Expired first = assertInstanceOf(Expired.class, Unwrapped.expire(state, NOW, ids(1)));
        MemberState after = state.withChanges(first.after(), first.changedLots(), first.releasedHolds());
        assertEquals(new NothingToExpire(List.of()), Unwrapped.expire(after, NOW.plusSeconds(1), noIds()));
    }
}
