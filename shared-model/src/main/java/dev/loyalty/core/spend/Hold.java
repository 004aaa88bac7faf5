package dev.loyalty.core.spend;

import dev.loyalty.core.Limits;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Points;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A reservation of {@code points} of a member's available points, e.g. while a checkout is
 * being paid for. A hold reserves an amount, not particular lots: lots are only chosen when it
 * is captured, so the points spent are the ones that expire first at that moment.
 * {@code points} stays the amount originally held, even after a partial capture.
 */
public record Hold(UUID holdId, MemberId memberId, long points, HoldStatus status, String reference,
                   Instant createdAt, Instant expiresAt) {

    /** A checkout usually finishes within minutes; 15 minutes frees forgotten holds quickly. */
    public static final long HOLD_TTL_SECONDS_DEFAULT = 900L;
    public static final long HOLD_TTL_SECONDS_MIN = 1L;
    /** Seven days: long enough for a hotel-style pre-authorisation, short enough to bound stale reservations. */
    public static final long HOLD_TTL_SECONDS_MAX = 604_800L;

    public Hold {
        Objects.requireNonNull(holdId, "holdId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!Points.isValidAmount(points)) {
            throw new IllegalArgumentException("points must be in " + Points.MIN_PER_OPERATION + ".."
                    + Points.MAX_PER_OPERATION + ", was " + points);
        }
        // Same rule as the API applies, so anything stored also fits the storage column.
        if (!Limits.isValidReference(reference)) {
            throw new IllegalArgumentException("invalid reference");
        }
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("expiresAt must be after createdAt");
        }
    }

    /** Whether {@code ttlSeconds} is an allowed time to live (1..604800). */
    public static boolean isValidTtlSeconds(long ttlSeconds) {
        return ttlSeconds >= HOLD_TTL_SECONDS_MIN && ttlSeconds <= HOLD_TTL_SECONDS_MAX;
    }

    /**
     * Reserving points at {@code now}: HELD and not yet expired. Expiry is inclusive of the
     * boundary, like a lot's: at {@code expiresAt} the hold is over.
     */
    public boolean isActiveAt(Instant now) {
        Objects.requireNonNull(now, "now");
        return status == HoldStatus.HELD && now.isBefore(expiresAt);
    }

    /**
     * The status a reader should see at {@code now}: a HELD hold whose time has run out is
     * EXPIRED even before the sweep has written that.
     */
    public HoldStatus effectiveStatusAt(Instant now) {
        Objects.requireNonNull(now, "now");
        return status == HoldStatus.HELD && !now.isBefore(expiresAt) ? HoldStatus.EXPIRED : status;
    }

    public Hold withStatus(HoldStatus newStatus) {
        return new Hold(holdId, memberId, points, newStatus, reference, createdAt, expiresAt);
    }
}
