package dev.loyalty.core.returns;

import dev.loyalty.core.Lot;
import dev.loyalty.core.spend.MemberState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.loyalty.core.returns.ReturnFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For any purchase (1 to 3 awards), any spending of its lots beforehand, any other lots and any
 * sequence of partial returns: per award, taken back plus shortfall never exceeds the award
 * and equals it exactly once the purchase is returned in full; no lot and no balance is ever
 * negative; the account balance stays the sum of the lots.
 */
class ReturnRulesProperties {

    @Provide
    Arbitrary<List<Long>> awards() {
        return Arbitraries.longs().between(1, 1_000_000_000).list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 400)
    void returnsAddUpExactlyAndNeverOvershoot(@ForAll("awards") List<Long> awardPoints,
                                              @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long purchaseAmount,
                                              @ForAll @Size(min = 1, max = 6) List<@LongRange(min = 1, max = 1_000_000) Long> splits,
                                              @ForAll @Size(max = 3) List<@LongRange(min = 0, max = 1_000_000_000) Long> otherLots,
                                              @ForAll @LongRange(min = 0, max = 100) long spentPercent,
                                              @ForAll boolean afterWindow) {
        Instant pendingEnd = T0.plus(Duration.ofDays(15));
        Instant now = afterWindow ? pendingEnd : T0.plusSeconds(60);
        List<Lot> lots = new ArrayList<>();
        List<PurchaseAward> awards = new ArrayList<>();
        for (long points : awardPoints) {
            Lot own = lot(points, null, pendingEnd);
            // Some of it already spent (only possible after the window; the property does not care how).
            own = own.withRemaining(points - points * spentPercent / 100);
            lots.add(own);
            awards.add(new PurchaseAward(id(), "rule-" + awards.size(), "PURCHASE", points, T0, own.lotId()));
        }
        for (long other : otherLots) {
            if (other > 0) {
                lots.add(lot(other, T0.plus(Duration.ofDays(400)), null));
            }
        }
        MemberState state = state(lots, List.of());
        Purchase purchase = new Purchase("order-1", purchaseAmount, 0, awards);
        long[] given = new long[awards.size()];
        int i = 0;
        while (purchase.returnable() > 0) {
            // The splits as fractions of the amount, the last return takes the rest.
            long amount = i < splits.size()
                    ? Math.max(1, Math.min(purchase.returnable(), purchaseAmount / 1_000_000 * splits.get(i) + splits.get(i) % 7))
                    : purchase.returnable();
            ReturnOutcome.Returned r = assertInstanceOf(ReturnOutcome.Returned.class, ReturnRules.apply(state,
                    returning("ret-" + i, i < splits.size() ? amount : null), Optional.of(purchase), now, ids()));
            for (int a = 0; a < awards.size(); a++) {
                AwardReturn ar = r.awards().get(a);
                given[a] += ar.taken() + ar.shortfall();
                assertTrue(given[a] <= awards.get(a).points(), "never more than the award at any step");
                assertEquals(ReturnRules.dueSoFar(awards.get(a).points(), r.returnedSoFar(), purchaseAmount), given[a]);
                assertEquals(given[a], purchase.awards().get(a).returnedBefore() + ar.due());
            }
            state = after(state, r);
            purchase = after(purchase, r);
            assertTrue(state.account().balance() >= 0);
            assertEquals(state.account().balance(), state.lots().stream().mapToLong(Lot::remainingPoints).sum(),
                    "balance = lots");
            state.lots().forEach(l -> assertTrue(l.remainingPoints() >= 0));
            i++;
        }
        for (int a = 0; a < awards.size(); a++) {
            assertEquals(awards.get(a).points(), given[a], "taken back plus shortfall is the award at full return");
        }
    }

    @Property(tries = 200)
    void dueSoFarIsMonotoneAndEndsAtTheAward(@ForAll @LongRange(min = 0, max = 1_000_000_000) long points,
                                             @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long amount,
                                             @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long a,
                                             @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long b) {
        long lo = Math.min(a, b) % (amount + 1);
        long hi = Math.max(lo, Math.max(a, b) % (amount + 1));
        assertTrue(ReturnRules.dueSoFar(points, lo, amount) <= ReturnRules.dueSoFar(points, hi, amount));
        assertEquals(points, ReturnRules.dueSoFar(points, amount, amount));
        assertEquals(0, ReturnRules.dueSoFar(points, 0, amount));
    }
}
