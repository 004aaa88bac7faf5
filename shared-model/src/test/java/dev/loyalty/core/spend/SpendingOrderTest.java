package dev.loyalty.core.spend;

import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.AllocationResult.Allocated;
import dev.loyalty.core.spend.AllocationResult.Shortfall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpendingOrderTest {

    static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    static final MemberId M = new MemberId("m-1");

    static UUID id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    static Lot lot(String name, long remaining, String earnedAt, Instant expiresAt) {
        return new Lot(id(name), M, "PURCHASE", Math.max(remaining, 1), remaining, Instant.parse(earnedAt), expiresAt);
    }

    static Instant at(String instant) {
        return Instant.parse(instant);
    }

    static final Lot JULY = lot("july", 50, "2025-01-01T00:00:00Z", at("2025-07-01T00:00:00Z"));
    static final Lot AUGUST = lot("august", 30, "2025-02-01T00:00:00Z", at("2025-08-01T00:00:00Z"));
    static final Lot JULY_NEWER = lot("july-newer", 20, "2025-03-01T00:00:00Z", at("2025-07-01T00:00:00Z"));
    /** Oldest of all, but never expires, so it must still go last. */
    static final Lot NEVER = lot("never", 100, "2024-01-01T00:00:00Z", null);
    static final Lot EXPIRED_NOW = lot("expired", 500, "2024-06-01T00:00:00Z", NOW);
    static final Lot EMPTY = lot("empty", 0, "2025-01-01T00:00:00Z", at("2025-06-20T00:00:00Z"));
    static final Lot LAST_NANO = lot("last-nano", 5, "2025-01-01T00:00:00Z", NOW.plusNanos(1));

    static Allocation take(Lot lot, long points) {
        return new Allocation(lot.lotId(), points);
    }

    static Allocated allocated(long points, Allocation... allocations) {
        return new Allocated(List.of(allocations), points);
    }

    record Row(String name, List<Lot> lots, long points, AllocationResult expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("earliest expiry first", List.of(AUGUST, JULY), 20, allocated(20, take(JULY, 20))),
                new Row("same expiry: oldest earnedAt first", List.of(JULY_NEWER, JULY), 10,
                        allocated(10, take(JULY, 10))),
                new Row("never-expiring last", List.of(NEVER, AUGUST), 40,
                        allocated(40, take(AUGUST, 30), take(NEVER, 10))),
                new Row("expired lot skipped before the sweep", List.of(EXPIRED_NOW, JULY), 10,
                        allocated(10, take(JULY, 10))),
                new Row("lot expiring in 1ns is spent first", List.of(JULY, LAST_NANO), 7,
                        allocated(7, take(LAST_NANO, 5), take(JULY, 2))),
                new Row("zero-remaining lot skipped", List.of(EMPTY, JULY), 10, allocated(10, take(JULY, 10))),
                new Row("exact fit", List.of(AUGUST, JULY), 80, allocated(80, take(JULY, 50), take(AUGUST, 30))),
                new Row("spans several lots", List.of(NEVER, AUGUST, JULY_NEWER, JULY), 120,
                        allocated(120, take(JULY, 50), take(JULY_NEWER, 20), take(AUGUST, 30), take(NEVER, 20))),
                new Row("insufficient reports what is spendable", List.of(JULY, AUGUST, EXPIRED_NOW, NEVER, EMPTY), 181,
                        new Shortfall(181, 180)),
                new Row("only expired points", List.of(EXPIRED_NOW), 1, new Shortfall(1, 0)),
                new Row("no lots", List.of(), 1, new Shortfall(1, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void allocate(Row row) {
        assertEquals(row.expected(), SpendingOrder.allocate(row.lots(), row.points(), NOW));
        // The order is total, so the input order never changes the answer.
        List<Lot> reversed = new ArrayList<>(row.lots());
        Collections.reverse(reversed);
        assertEquals(row.expected(), SpendingOrder.allocate(reversed, row.points(), NOW));
    }

    @Test
    void lotIdBreaksFullTies() {
        Lot a = lot("tie-a", 10, "2025-01-01T00:00:00Z", at("2025-07-01T00:00:00Z"));
        Lot b = lot("tie-b", 10, "2025-01-01T00:00:00Z", at("2025-07-01T00:00:00Z"));
        Lot first = a.lotId().compareTo(b.lotId()) < 0 ? a : b;
        assertEquals(allocated(5, take(first, 5)), SpendingOrder.allocate(List.of(a, b), 5, NOW));
        assertEquals(allocated(5, take(first, 5)), SpendingOrder.allocate(List.of(b, a), 5, NOW));
    }

    @Test
    void availableSumsSpendableRemaining() {
        assertEquals(180, SpendingOrder.available(List.of(JULY, AUGUST, NEVER, EXPIRED_NOW, EMPTY), NOW));
        assertEquals(0, SpendingOrder.available(List.of(), NOW));
        // At the July expiry instant those 50 points are gone.
        assertEquals(130, SpendingOrder.available(List.of(JULY, AUGUST, NEVER), JULY.expiresAt()));
    }

    @Test
    void availableFailsLoudlyOnOverflow() {
        Lot huge1 = lot("huge-1", Long.MAX_VALUE, "2025-01-01T00:00:00Z", null);
        Lot huge2 = lot("huge-2", 1, "2025-01-01T00:00:00Z", null);
        assertThrows(ArithmeticException.class, () -> SpendingOrder.available(List.of(huge1, huge2), NOW));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void pointsMustBePositive(long points) {
        assertThrows(IllegalArgumentException.class, () -> SpendingOrder.allocate(List.of(JULY), points, NOW));
    }

    @Test
    void refusesLotsThatCannotBeOneMembersSet() {
        Lot otherMembers = new Lot(id("other"), new MemberId("m-2"), "PURCHASE", 10, 10, NOW, null);
        assertThrows(IllegalArgumentException.class, () -> SpendingOrder.allocate(List.of(JULY, otherMembers), 1, NOW));
        assertThrows(IllegalArgumentException.class, () -> SpendingOrder.allocate(List.of(JULY, JULY), 1, NOW));
    }
}
