package dev.loyalty.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExpiryPolicyTest {

    @ParameterizedTest(name = "{0}: {1} + {2}d -> {3}")
    @CsvSource(delimiter = '|', value = {
            // zone              | occurredAt (UTC)               | days | expiresAt (UTC)
            "UTC                 | 2025-03-10T15:00:00Z           | 30   | 2025-04-10T00:00:00Z",
            "UTC                 | 2025-03-10T23:59:59.999999999Z | 1    | 2025-03-12T00:00:00Z",
            "UTC                 | 2025-03-11T00:00:00Z           | 1    | 2025-03-13T00:00:00Z",
            // leap day + 365 lands on 2025-02-28
            "UTC                 | 2024-02-29T12:00:00Z           | 365  | 2025-03-01T00:00:00Z",
            // UTC+14: 09:59:59Z is 23:59:59 local on 03-10; one second later it is 03-11 locally
            "Pacific/Kiritimati  | 2025-03-10T09:59:59Z           | 1    | 2025-03-11T10:00:00Z",
            "Pacific/Kiritimati  | 2025-03-10T10:00:00Z           | 1    | 2025-03-12T10:00:00Z",
            // 23:59:59 PST on 03-08; the expiry day 03-09 is the 23-hour spring-forward day
            "America/Los_Angeles | 2025-03-09T07:59:59Z           | 1    | 2025-03-10T07:00:00Z",
            // noon PST 03-07: +1 day ends before the DST change (PST), +2 days after it (PDT)
            "America/Los_Angeles | 2025-03-07T20:00:00Z           | 1    | 2025-03-09T08:00:00Z",
            "America/Los_Angeles | 2025-03-07T20:00:00Z           | 2    | 2025-03-10T07:00:00Z",
            // 10:00 PDT 11-01; the expiry day 11-02 is the 25-hour fall-back day
            "America/Los_Angeles | 2025-11-01T17:00:00Z           | 1    | 2025-11-03T08:00:00Z",
            // Chile springs forward AT midnight: 2025-09-07 starts at 01:00 -03:00
            "America/Santiago    | 2025-09-05T15:00:00Z           | 1    | 2025-09-07T04:00:00Z"})
    void afterDaysEndsAtTheEndOfTheLocalDay(String zone, Instant occurredAt, int days, Instant expected) {
        assertEquals(Optional.of(expected), new ExpiryPolicy.AfterDays(days).expiresAt(occurredAt, ZoneId.of(zone)));
    }

    @Test
    void neverHasNoExpiry() {
        assertEquals(Optional.empty(), new ExpiryPolicy.Never().expiresAt(Instant.EPOCH, ZoneOffset.UTC));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void afterDaysNeedsAtLeastOneDay(int days) {
        assertThrows(IllegalArgumentException.class, () -> new ExpiryPolicy.AfterDays(days));
    }
}
