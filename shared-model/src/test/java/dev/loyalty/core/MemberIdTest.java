package dev.loyalty.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberIdTest {

    static Stream<String> valid() {
        return Stream.of("a", "Z", "9", "m-1", "user_42.eu:prod", "Az09_.:-", "x".repeat(64), "...", ".a", "a..");
    }

    static Stream<String> invalid() {
        return Arrays.stream(new String[]{null, "", "x".repeat(65), "a b", " a", "a/b", "a@b", "a+b", "é",
                "a\n", "a\u0000", "a\u200B", ".", ".."});
    }

    @ParameterizedTest
    @MethodSource
    void valid(String raw) {
        assertTrue(MemberId.isValid(raw));
        assertEquals(raw, new MemberId(raw).toString());
    }

    @ParameterizedTest
    @MethodSource
    void invalid(String raw) {
        assertFalse(MemberId.isValid(raw));
        assertThrows(IllegalArgumentException.class, () -> new MemberId(raw));
    }

    /** The program's event stream has a member-shaped key that no member may take. */
    @Test
    void theProgramStreamIsReservedNotAMember() {
        assertFalse(MemberId.isValid(MemberId.PROGRAM_STREAM));
        assertFalse(MemberId.isValid("_program"));
        assertEquals("_program", MemberId.PROGRAM.value());
        assertTrue(MemberId.isValid("_programme"), "only the exact reserved id");
        assertTrue(MemberId.isValid("_Program"));
    }

    @Test
    void maxLengthIs64() {
        assertEquals(64, MemberId.MAX_LENGTH);
    }
}
