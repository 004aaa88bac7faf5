package dev.loyalty.functions.balance;

import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Tx;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The operator's view of a member's lots and holds (issue 20's member lookup; admin routes
 * {@code GET /members/{id}/lots} and {@code GET /members/{id}/holds}), read-only, a page at a
 * time. What a lot or hold means at {@code now} (expired, pending, spendable; a hold past its
 * time) is the core's ({@link Lot}, {@link Hold}); this class only reads and pages.
 *
 * <ul>
 *   <li>Lots in spending order (the earliest expiry first, then the oldest; never-expiring lots
 *       last), open ones only ({@code remainingPoints > 0}) unless {@code status=ALL}. The order's
 *       key (expiry, earned at, lot id) never changes, so a cursor stays valid while points are
 *       spent.</li>
 *   <li>Holds newest first (created at, hold id), every status.</li>
 * </ul>
 */
@ApplicationScoped
public class LotsAndHolds {
    public static final int LIMIT_DEFAULT = 50;
    public static final int LIMIT_MAX = 200;

    private final Db db;

    public LotsAndHolds(Db db) {
        this.db = db;
    }

    @RegisterForReflection
    public record LotView(UUID lotId, String pointType, long originalPoints, long remainingPoints, long availablePoints,
                          Instant earnedAt, Instant expiresAt, Instant pendingUntil, boolean expired, boolean pending) {
        static LotView of(Lot lot, Instant now) {
            return new LotView(lot.lotId(), lot.pointType(), lot.originalPoints(), lot.remainingPoints(),
                    lot.isSpendableAt(now) ? lot.remainingPoints() : 0L, lot.earnedAt(), lot.expiresAt(), lot.pendingUntil(),
                    lot.isExpiredAt(now), lot.pendingPointsAt(now) > 0);
        }
    }

    @RegisterForReflection
    public record LotsPage(String memberId, Instant asOf, List<LotView> items, String nextCursor) {
    }

    @RegisterForReflection
    public record HoldView(UUID holdId, long points, String status, String reference, Instant createdAt, Instant expiresAt) {
    }

    @RegisterForReflection
    public record HoldsPage(String memberId, Instant asOf, List<HoldView> items, String nextCursor) {
    }

    /** Far after any expiry: the sort key of a lot that never expires (they come last). */
    private static final Instant NEVER = Instant.parse("9999-12-31T00:00:00Z");

    static final String LOTS_SQL = """
            SELECT lot_id, point_type, original_points, remaining_points, earned_at, expires_at, pending_until,
                   COALESCE(expires_at, $2) AS expiry_key
            FROM lots
            WHERE member_id = $1 AND ($3 OR remaining_points > 0)
              AND ($4::timestamptz IS NULL OR (COALESCE(expires_at, $2), earned_at, lot_id) > ($4, $5, $6))
            ORDER BY COALESCE(expires_at, $2), earned_at, lot_id
            LIMIT $7""";

    static final String HOLDS_SQL = """
            SELECT hold_id, points, status, reference, created_at, expires_at FROM holds
            WHERE member_id = $1 AND ($2::timestamptz IS NULL OR (created_at, hold_id) < ($2, $3))
            ORDER BY created_at DESC, hold_id DESC
            LIMIT $4""";

    /** Empty when the member has no account. */
    public Optional<LotsPage> lots(MemberId member, boolean all, String cursor, int limit, Instant now) {
        Key after = cursor == null ? null : Key.decode(cursor, "L");
        return db.read(tx -> {
            if (!exists(tx, member)) {
                return Optional.empty();
            }
            List<Key> keys = new ArrayList<>();
            List<LotView> items = new ArrayList<>(tx.list(LOTS_SQL, r -> {
                keys.add(new Key("L", Tx.instant(r, "expiry_key"), Tx.instant(r, "earned_at"), r.getUUID("lot_id")));
                return LotView.of(new Lot(r.getUUID("lot_id"), member, r.getString("point_type"), r.getLong("original_points"),
                        r.getLong("remaining_points"), Tx.instant(r, "earned_at"), Tx.instant(r, "expires_at"),
                        Tx.instant(r, "pending_until")), now);
            }, member.value(), NEVER, all, after == null ? null : after.first(), after == null ? null : after.second(),
                    after == null ? null : after.id(), limit + 1));
            String next = null;
            if (items.size() > limit) {
                items = items.subList(0, limit);
                next = keys.get(limit - 1).encode();
            }
            return Optional.of(new LotsPage(member.value(), now, List.copyOf(items), next));
        });
    }

    /** Empty when the member has no account. */
    public Optional<HoldsPage> holds(MemberId member, String cursor, int limit, Instant now) {
        Key after = cursor == null ? null : Key.decode(cursor, "H");
        return db.read(tx -> {
            if (!exists(tx, member)) {
                return Optional.empty();
            }
            List<Key> keys = new ArrayList<>();
            List<HoldView> items = new ArrayList<>(tx.list(HOLDS_SQL, r -> {
                keys.add(new Key("H", Tx.instant(r, "created_at"), Tx.instant(r, "created_at"), r.getUUID("hold_id")));
                Hold hold = new Hold(r.getUUID("hold_id"), member, r.getLong("points"), HoldStatus.valueOf(r.getString("status")),
                        r.getString("reference"), Tx.instant(r, "created_at"), Tx.instant(r, "expires_at"));
                return new HoldView(hold.holdId(), hold.points(), hold.effectiveStatusAt(now).name(), hold.reference(), hold.createdAt(),
                        hold.expiresAt());
            }, member.value(), after == null ? null : after.first(), after == null ? null : after.id(), limit + 1));
            String next = null;
            if (items.size() > limit) {
                items = items.subList(0, limit);
                next = keys.get(limit - 1).encode();
            }
            return Optional.of(new HoldsPage(member.value(), now, List.copyOf(items), next));
        });
    }

    private static boolean exists(Tx tx, MemberId member) {
        return tx.one("SELECT 1 AS one FROM accounts WHERE member_id = $1", r -> 1, member.value()).isPresent();
    }

    /** The opaque cursor: the last row's order key ("L" lots, "H" holds), microseconds and the id. */
    record Key(String kind, Instant first, Instant second, UUID id) {
        String encode() {
            String raw = "v1:" + kind + ":" + micros(first) + ":" + micros(second) + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Key decode(String cursor, String kind) {
            try {
                String[] f = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
                if (f.length != 5 || !f[0].equals("v1") || !f[1].equals(kind)) {
                    throw new IllegalArgumentException();
                }
                long first = Long.parseLong(f[2]);
                long second = Long.parseLong(f[3]);
                if (!storable(first) || !storable(second)) {
                    throw new IllegalArgumentException(); // no row has such a key: a forged cursor
                }
                return new Key(kind, instant(first), instant(second), UUID.fromString(f[4]));
            } catch (IllegalArgumentException e) {
                throw ApiException.validation("cursor", "is not a cursor this API returned");
            }
        }

        private static long micros(Instant t) {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
        }

        /** Within years 1 to 9999 (NEVER included), where every stored key is. */
        private static boolean storable(long micros) {
            return micros >= MIN_MICROS && micros <= MAX_MICROS;
        }

        private static final long MIN_MICROS = micros(Instant.parse("0001-01-01T00:00:00Z"));
        private static final long MAX_MICROS = micros(Instant.parse("9999-12-31T23:59:59.999999Z"));

        private static Instant instant(long micros) {
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
        }
    }
}
