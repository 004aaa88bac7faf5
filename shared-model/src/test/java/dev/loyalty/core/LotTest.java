package dev.loyalty.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LotTest {

    static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000001");
    static final MemberId M = new MemberId("m-1");
    static final Instant EARNED = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant EXPIRES = Instant.parse("2025-02-01T00:00:00Z");

    static Lot lot(long original, long remaining, Instant expiresAt) {
        return new Lot(ID, M, "PURCHASE", original, remaining, EARNED, expiresAt);
    }

    @Test
    void expiredFromTheExpiryInstantOn() {
        Lot lot = lot(10, 10, EXPIRES);
        assertFalse(lot.isExpiredAt(EXPIRES.minusNanos(1)));
        assertTrue(lot.isSpendableAt(EXPIRES.minusNanos(1)));
        assertTrue(lot.isExpiredAt(EXPIRES));
        assertFalse(lot.isSpendableAt(EXPIRES));
    }

    @Test
    void neverExpiringLotIsNeverExpired() {
        assertFalse(lot(10, 10, null).isExpiredAt(Instant.MAX));
    }

    @Test
    void emptyLotIsNotSpendable() {
        assertFalse(lot(10, 0, null).isSpendableAt(EARNED));
    }

    @Test
    void withRemainingKeepsEverythingElse() {
        assertEquals(lot(10, 3, EXPIRES), lot(10, 10, EXPIRES).withRemaining(3));
        assertThrows(IllegalArgumentException.class, () -> lot(10, 10, EXPIRES).withRemaining(11));
    }

    @ParameterizedTest(name = "original {0}, remaining {1}")
    @CsvSource({"0, 0", "-1, 0", "10, -1", "10, 11"})
    void rejectsImpossibleAmounts(long original, long remaining) {
        assertThrows(IllegalArgumentException.class, () -> lot(original, remaining, EXPIRES));
    }

    @Test
    void rejectsInvalidPointType() {
        assertThrows(IllegalArgumentException.class,
                () -> new Lot(ID, M, "purchase", 1, 1, EARNED, null));
    }
}
