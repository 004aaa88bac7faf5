package dev.loyalty.core;

import dev.loyalty.core.Refusal.*;
import dev.loyalty.core.spend.HoldStatus;

import java.time.Instant;


import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class RefusalTest {

    static final String HOSTILE = "<script>alert(1)</script>";
    static final UUID SOME = UUID.fromString("00000000-0000-0000-0000-0000000000aa");

    /** Every refusal, with the API code and JSON field it must carry. */
    static Stream<Object[]> rejections() {
        return Stream.of(
                new Object[]{new InvalidPoints(0), "VALIDATION_FAILED", "points"},
                new Object[]{new InvalidReference(HOSTILE), "VALIDATION_FAILED", "reference"},
                new Object[]{new InvalidText("description", 501, false), "VALIDATION_FAILED", "description"},
                new Object[]{new InvalidText("reason", 501, false), "VALIDATION_FAILED", "reason"},
                new Object[]{new InvalidTtl(0), "VALIDATION_FAILED", "ttlSeconds"},
                new Object[]{new InvalidExpiresAt(Instant.EPOCH, Instant.EPOCH), "VALIDATION_FAILED", "expiresAt"},
                new Object[]{new InsufficientPoints(10, 3), "INSUFFICIENT_POINTS", "points"},
                new Object[]{new HoldNotFound(SOME), "HOLD_NOT_FOUND", "holdId"},
                new Object[]{new HoldNotActive(SOME, HoldStatus.EXPIRED), "HOLD_NOT_ACTIVE", "holdId"},
                new Object[]{new CaptureExceedsHold(11, 10), "VALIDATION_FAILED", "points"},
                new Object[]{new TransactionNotFound(SOME), "TRANSACTION_NOT_FOUND", "transactionId"},
                new Object[]{new NotReversible(10, 4), "NOT_REVERSIBLE", "points"},
                new Object[]{new NotReversible(10, 0), "NOT_REVERSIBLE", "points"},
                new Object[]{new SelfTransfer(), "VALIDATION_FAILED", "toMemberId"},
                new Object[]{new InvalidMemberId("toMemberId", HOSTILE), "VALIDATION_FAILED", "toMemberId"},
                new Object[]{new BalanceOverflow(Long.MAX_VALUE, 1), "VALIDATION_FAILED", "points"},
                new Object[]{new InvalidMemberId("memberId", HOSTILE), "VALIDATION_FAILED", "memberId"},
                new Object[]{new InvalidAdjustmentPoints(0), "VALIDATION_FAILED", "points"},
                new Object[]{new UnknownPointType(HOSTILE), "UNKNOWN_POINT_TYPE", "type"},
                new Object[]{new OccurredInFuture(Instant.MAX, Instant.EPOCH), "VALIDATION_FAILED", "occurredAt"},
                new Object[]{new OccurredTooLongAgo(Instant.EPOCH, Limits.OCCURRED_AT_MIN), "VALIDATION_FAILED", "occurredAt"},
                new Object[]{new InvalidText("reason", 0, true), "VALIDATION_FAILED", "reason"},
                new Object[]{new MemberNotFound(new MemberId("m-1")), "MEMBER_NOT_FOUND", "memberId"},
                new Object[]{new ReferenceAlreadyUsed(SOME, null), "REFERENCE_ALREADY_USED", "reference"},
                new Object[]{new EventNotFound(HOSTILE), "EVENT_NOT_FOUND", "originalReference"},
                new Object[]{new ReturnExceedsPurchase(10, 4), "RETURN_EXCEEDS_PURCHASE", "amount"},
                new Object[]{new ReturnExceedsPurchase(10, 0), "RETURN_EXCEEDS_PURCHASE", "amount"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void codeFieldAndASafeMessage(Refusal rejected, String code, String field) {
        assertEquals(code, rejected.code());
        assertEquals(field, rejected.field());
        assertFalse(rejected.message().isBlank());
        assertFalse(rejected.message().contains(HOSTILE), "messages never echo untrusted input");
    }
}
