package dev.loyalty.core.returns;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.MemberState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** A member, its lots and a purchase, kept in step as returns are applied (an in-memory ledger of one member). */
final class ReturnFixtures {
    static final MemberId M = new MemberId("m-1");
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static final AtomicLong NEXT = new AtomicLong(1);

    static Supplier<UUID> ids() {
        return () -> new UUID(0x5EED, NEXT.getAndIncrement());
    }

    static UUID id() {
        return new UUID(0xABC, NEXT.getAndIncrement());
    }

    static Lot lot(long points, Instant expiresAt, Instant pendingUntil) {
        return new Lot(id(), M, "PURCHASE", points, points, T0, expiresAt, pendingUntil);
    }

    static MemberState state(List<Lot> lots, List<Hold> holds) {
        long balance = lots.stream().mapToLong(Lot::remainingPoints).sum();
        return new MemberState(new AccountState(M, balance, lots.size()), lots, holds);
    }

    /** The state after a return: the account and the lots it changed. */
    static MemberState after(MemberState state, ReturnOutcome.Returned r) {
        return state.withChanges(r.after(), r.changedLots(), List.of());
    }

    /** The purchase after a return: its returned total moves on. */
    static Purchase after(Purchase p, ReturnOutcome.Returned r) {
        List<PurchaseAward> awards = new ArrayList<>();
        for (int i = 0; i < p.awards().size(); i++) {
            awards.add(p.awards().get(i).afterReturn(r.awards().get(i).due()));
        }
        return new Purchase(p.reference(), p.amount(), r.returnedSoFar(), awards);
    }

    static ReturnCommand returning(String reference, Long amount) {
        return new ReturnCommand(M.value(), reference, "order-1", amount, null, null);
    }

    static List<Lot> lotsOf(Lot... lots) {
        return new ArrayList<>(List.of(lots));
    }

    private ReturnFixtures() {
    }
}
