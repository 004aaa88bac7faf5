package dev.loyalty.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitsTest {

    static Stream<String> validReferences() {
        return Stream.of("a", "order-1", "!", "~", "a:b/c?d=e#f", "r".repeat(128));
    }

    static Stream<String> invalidReferences() {
        return Arrays.stream(new String[]{null, "", "r".repeat(129), " ", "a b", "a\tb", "a\u007F", "é", "a\u00A0b"});
    }

    static Stream<String> validDescriptions() {
        return Arrays.stream(new String[]{null, "", "Order #1 — café", "spaces are fine", "\uD83D\uDE00",
                "d".repeat(500)});
    }

    static Stream<String> invalidDescriptions() {
        return Stream.of("d".repeat(501), "a\nb", "a\rb", "a\tb", "a\u0000", "a\u007F", "a\u0085", "\uD83D", "\uDE00x");
    }

    @ParameterizedTest
    @MethodSource
    void validReferences(String reference) {
        assertTrue(Limits.isValidReference(reference));
    }

    @ParameterizedTest
    @MethodSource
    void invalidReferences(String reference) {
        assertFalse(Limits.isValidReference(reference));
    }

    @ParameterizedTest
    @MethodSource
    void validDescriptions(String description) {
        assertTrue(Limits.isValidDescription(description));
    }

    @ParameterizedTest
    @MethodSource
    void invalidDescriptions(String description) {
        assertFalse(Limits.isValidDescription(description));
    }

    @Test
    void namedLimits() {
        assertEquals(128, Limits.REFERENCE_MAX_LENGTH);
        assertEquals(500, Limits.DESCRIPTION_MAX_LENGTH);
        assertEquals(300, Limits.FUTURE_SKEW_SECONDS);
    }
}
