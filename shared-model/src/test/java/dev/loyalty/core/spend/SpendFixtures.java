package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** Shared lots, holds and states for the spend rule tests; every amount is picked to be told apart. */
final class SpendFixtures {

    static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    static final MemberId M = new MemberId("m-1");
    static final MemberId OTHER = new MemberId("m-2");

    // Each "bad" value violates exactly its own rule.
    static final String BAD_REF = "has space";
    static final String BAD_DESC = "tab\there";

    static UUID id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    static Instant at(String instant) {
        return Instant.parse(instant);
    }

    static Lot lot(String name, String type, long original, long remaining, String earnedAt, String expiresAt) {
        return new Lot(id(name), M, type, original, remaining, at(earnedAt), expiresAt == null ? null : at(expiresAt));
    }

    /** Spent first: earliest expiry. */
    static final Lot JULY = lot("july", "PURCHASE", 50, 50, "2025-01-01T00:00:00Z", "2025-07-01T00:00:00Z");
    static final Lot AUGUST = lot("august", "SIGN_IN", 30, 30, "2025-02-01T00:00:00Z", "2025-08-01T00:00:00Z");
    /** Oldest of all but never expires, so spent last. */
    static final Lot NEVER = lot("never", "BONUS", 100, 100, "2024-01-01T00:00:00Z", null);
    /** Expired before NOW but not yet swept: in the balance, never spendable. */
    static final Lot EXPIRED = lot("expired", "PROMO", 40, 40, "2024-05-01T00:00:00Z", "2025-06-01T00:00:00Z");

    /** balance 220 (with the unswept 40), spendable 180. */
    static final List<Lot> LOTS = List.of(NEVER, EXPIRED, AUGUST, JULY);

    static Hold hold(String name, long points, HoldStatus status, Instant expiresAt) {
        return new Hold(id(name), M, points, status, "hold-" + name, NOW.minusSeconds(3600), expiresAt);
    }

    static Hold activeHold(String name, long points) {
        return hold(name, points, HoldStatus.HELD, NOW.plusSeconds(600));
    }

    /** A state whose balance is what its lots hold, as storage keeps it. */
    static MemberState state(List<Lot> lots, List<Hold> holds) {
        long balance = lots.stream().mapToLong(Lot::remainingPoints).sum();
        return new MemberState(new AccountState(M, balance, balance == 0 ? 0 : 7), lots, holds);
    }

    static MemberState state(List<Lot> lots) {
        return state(lots, List.of());
    }

    static final MemberState EMPTY = MemberState.empty(M);

    static MemberState receiver(long balance) {
        Lot own = new Lot(id("receiver-own"), OTHER, "BONUS", Math.max(1, balance), balance,
                at("2025-03-01T00:00:00Z"), null);
        return new MemberState(new AccountState(OTHER, balance, balance == 0 ? 0 : 1),
                balance == 0 ? List.of() : List.of(own), List.of());
    }

    /** Ids new-1, new-2, ... in draw order; drawing more than {@code count} fails the test. */
    static Supplier<UUID> ids(int count) {
        ArrayDeque<UUID> queue = new ArrayDeque<>();
        for (int i = 1; i <= count; i++) {
            queue.add(newId(i));
        }
        return queue::removeFirst;
    }

    static UUID newId(int n) {
        return id("new-" + n);
    }

    /** For outcomes that must not draw any id. */
    static Supplier<UUID> noIds() {
        return () -> {
            throw new AssertionError("no id may be drawn");
        };
    }

    static LedgerEntry entry(String name, EntryKind kind, long points, long sequence, long balanceAfter) {
        return new LedgerEntry(id(name), M, sequence, kind, points, balanceAfter, kind == EntryKind.EARN ? "PURCHASE" : null,
                "ref-" + name, null, NOW.minusSeconds(86_400), NOW.minusSeconds(86_400));
    }

    static Allocation take(Lot lot, long points) {
        return new Allocation(lot.lotId(), points);
    }

    private SpendFixtures() {
    }
}
