package dev.loyalty.core.spend;

import dev.loyalty.core.PointTypeCatalog;

import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The rules of {@link SpendRules} for table tests: a refusal comes back as the bare
 * {@link dev.loyalty.core.Refusal} record, a success as the outcome record, so a row can say
 * {@code new InsufficientPoints(10, 3)} or {@code Redeemed.class} alike.
 */
final class Unwrapped {
    private Unwrapped() {
    }

    static Object of(Object outcome) {
        return outcome instanceof Refused r ? r.refusal() : outcome;
    }

    static Object redeem(MemberState s, RedeemCommand c, Instant now, Supplier<UUID> ids) {
        return of(SpendRules.redeem(s, c, now, ids));
    }

    static Object placeHold(MemberState s, HoldCommand c, Instant now, Supplier<UUID> ids) {
        return of(SpendRules.placeHold(s, c, now, ids));
    }

    static Object capture(MemberState s, CaptureCommand c, Instant now, Supplier<UUID> ids) {
        return of(SpendRules.capture(s, c, now, ids));
    }

    static Object voidHold(MemberState s, VoidCommand c, Instant now) {
        return of(SpendRules.voidHold(s, c, now));
    }

    static Object reverse(MemberState s, ReversalCommand c, ReversalContext ctx, Instant now, Supplier<UUID> ids) {
        return of(SpendRules.reverse(s, c, ctx, now, ids));
    }

    static Object transfer(MemberState from, MemberState to, TransferCommand c, Instant now, Supplier<UUID> ids) {
        return of(SpendRules.transfer(from, to, c, now, ids));
    }

    static Object expire(MemberState s, Instant now, Supplier<UUID> ids) {
        return SpendRules.expire(s, now, ids);
    }

    static Object adjust(MemberState s, AdjustCommand c, Instant now, PointTypeCatalog catalog, Supplier<UUID> ids) {
        return of(SpendRules.adjust(s, c, now, catalog, ids));
    }
}
