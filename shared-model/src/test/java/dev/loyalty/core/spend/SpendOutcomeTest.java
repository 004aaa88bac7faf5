package dev.loyalty.core.spend;

import dev.loyalty.core.spend.SpendOutcome.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class SpendOutcomeTest {

    static final String HOSTILE = "<script>alert(1)</script>";
    static final UUID SOME = UUID.fromString("00000000-0000-0000-0000-0000000000aa");

    /** Every refusal, with the API code and JSON field it must carry. */
    static Stream<Object[]> rejections() {
        return Stream.of(
                new Object[]{new InvalidPoints(0), "VALIDATION_FAILED", "points"},
                new Object[]{new InvalidReference(HOSTILE), "VALIDATION_FAILED", "reference"},
                new Object[]{new InvalidDescription(501), "VALIDATION_FAILED", "description"},
                new Object[]{new InvalidReason(501), "VALIDATION_FAILED", "reason"},
                new Object[]{new InvalidTtl(0), "VALIDATION_FAILED", "ttlSeconds"},
                new Object[]{new InsufficientPoints(10, 3), "INSUFFICIENT_POINTS", "points"},
                new Object[]{new HoldNotFound(SOME), "HOLD_NOT_FOUND", "holdId"},
                new Object[]{new HoldNotActive(SOME, HoldStatus.EXPIRED), "HOLD_NOT_ACTIVE", "holdId"},
                new Object[]{new CaptureExceedsHold(11, 10), "VALIDATION_FAILED", "points"},
                new Object[]{new TransactionNotFound(SOME), "TRANSACTION_NOT_FOUND", "transactionId"},
                new Object[]{new NotReversible(10, 4), "NOT_REVERSIBLE", "points"},
                new Object[]{new NotReversible(10, 0), "NOT_REVERSIBLE", "points"},
                new Object[]{new SelfTransfer(), "VALIDATION_FAILED", "toMemberId"},
                new Object[]{new InvalidMemberId(HOSTILE), "VALIDATION_FAILED", "toMemberId"},
                new Object[]{new BalanceOverflow(Long.MAX_VALUE, 1), "VALIDATION_FAILED", "points"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void codeFieldAndASafeMessage(Rejected rejected, String code, String field) {
        assertEquals(code, rejected.code());
        assertEquals(field, rejected.field());
        assertFalse(rejected.message().isBlank());
        assertFalse(rejected.message().contains(HOSTILE), "messages never echo untrusted input");
    }
}
