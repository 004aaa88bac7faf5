package dev.loyalty.core.earn;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal.BalanceOverflow;
import dev.loyalty.core.earn.EarnOutcome.Earned;
import dev.loyalty.core.Refusal.InvalidExpiresAt;
import dev.loyalty.core.Refusal.InvalidText;
import dev.loyalty.core.Refusal.InvalidMemberId;
import dev.loyalty.core.Refusal.InvalidPoints;
import dev.loyalty.core.Refusal.InvalidReference;
import dev.loyalty.core.Refusal.OccurredInFuture;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.Refusal.UnknownPointType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarnRuleTest {

    static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    static final PointTypeCatalog CATALOG = PointTypeCatalog.defaults(ZoneOffset.UTC);
    static final String M = "m-1";
    static final UUID ENTRY_ID = UUID.fromString("00000000-0000-0000-0000-00000000000e");
    static final UUID LOT_ID = UUID.fromString("00000000-0000-0000-0000-00000000000f");

    // Each "bad" value violates exactly its own rule; BAD_POINTS also overflows any positive balance.
    static final String BAD_MEMBER = "bad id!";
    static final long BAD_POINTS = Long.MAX_VALUE;
    static final String BAD_TYPE = "NOPE";
    static final String BAD_REF = "has space";
    static final Instant FUTURE = NOW.plusSeconds(301);
    static final String BAD_DESC = "tab\there";
    /** Not after occurredAt (NOW, or a FUTURE occurredAt): violates only the expiresAt rule. */
    static final Instant BAD_EXPIRES = NOW;
    /** Balance at which any valid amount overflows, so rule 7 is violated in every precedence row. */
    static final AccountState FULL = new AccountState(new MemberId(M), Long.MAX_VALUE, 7);

    static Supplier<UUID> ids() {
        ArrayDeque<UUID> queue = new ArrayDeque<>(List.of(ENTRY_ID, LOT_ID));
        return queue::removeFirst;
    }

    /** The outcome, with a refusal unwrapped to its bare record so rows can name it. */
    static Object earn(AccountState state, EarnCommand command) {
        EarnOutcome outcome = EarnRule.apply(state, command, NOW, CATALOG, ids());
        return outcome instanceof EarnOutcome.Refused r ? r.refusal() : outcome;
    }

    // --- precedence: row k fixes rules 1..k-1 and still violates rules k..7 ---

    static Stream<Object[]> precedence() {
        return Stream.of(
                new Object[]{new EarnCommand(BAD_MEMBER, BAD_POINTS, BAD_TYPE, BAD_REF, FUTURE, BAD_DESC, BAD_EXPIRES),
                        InvalidMemberId.class, "VALIDATION_FAILED", "memberId"},
                new Object[]{new EarnCommand(M, BAD_POINTS, BAD_TYPE, BAD_REF, FUTURE, BAD_DESC, BAD_EXPIRES),
                        InvalidPoints.class, "VALIDATION_FAILED", "points"},
                new Object[]{new EarnCommand(M, 1, BAD_TYPE, BAD_REF, FUTURE, BAD_DESC, BAD_EXPIRES),
                        UnknownPointType.class, "UNKNOWN_POINT_TYPE", "type"},
                new Object[]{new EarnCommand(M, 1, "PURCHASE", BAD_REF, FUTURE, BAD_DESC, BAD_EXPIRES),
                        InvalidReference.class, "VALIDATION_FAILED", "reference"},
                new Object[]{new EarnCommand(M, 1, "PURCHASE", "order-1", FUTURE, BAD_DESC, BAD_EXPIRES),
                        OccurredInFuture.class, "VALIDATION_FAILED", "occurredAt"},
                new Object[]{new EarnCommand(M, 1, "PURCHASE", "order-1", NOW, BAD_DESC, BAD_EXPIRES),
                        InvalidText.class, "VALIDATION_FAILED", "description"},
                new Object[]{new EarnCommand(M, 1, "PURCHASE", "order-1", NOW, "ok", BAD_EXPIRES),
                        InvalidExpiresAt.class, "VALIDATION_FAILED", "expiresAt"},
                new Object[]{new EarnCommand(M, 1, "PURCHASE", "order-1", NOW, "ok", NOW.plusSeconds(1)),
                        BalanceOverflow.class, "VALIDATION_FAILED", "points"});
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("precedence")
    void earliestRuleWins(EarnCommand command, Class<? extends Refusal> expected, String code, String field) {
        Refusal rejected = assertInstanceOf(expected, earn(FULL, command));
        assertEquals(code, rejected.code());
        assertEquals(field, rejected.field());
        assertFalse(rejected.message().isBlank());
    }

    @Test
    void lastPrecedenceRowIsAcceptedOnceTheBalanceHasRoom() {
        // Closes the chain: the only thing wrong with the last row was the balance.
        EarnCommand last = new EarnCommand(M, 1, "PURCHASE", "order-1", NOW, "ok");
        assertInstanceOf(Earned.class, earn(AccountState.empty(new MemberId(M)), last));
    }

    // --- boundaries: one field varied from a valid command ---

    static EarnCommand member(String memberId) {
        return new EarnCommand(memberId, 100, "PURCHASE", "order-1", null, null);
    }

    static EarnCommand points(long points) {
        return new EarnCommand(M, points, "PURCHASE", "order-1", null, null);
    }

    static EarnCommand type(String type) {
        return new EarnCommand(M, 100, type, "order-1", null, null);
    }

    static EarnCommand reference(String reference) {
        return new EarnCommand(M, 100, "PURCHASE", reference, null, null);
    }

    static EarnCommand occurredAt(Instant occurredAt) {
        return new EarnCommand(M, 100, "PURCHASE", "order-1", occurredAt, null);
    }

    static EarnCommand expiresAt(Instant occurredAt, Instant expiresAt) {
        return new EarnCommand(M, 100, "PURCHASE", "order-1", occurredAt, null, expiresAt);
    }

    static EarnCommand description(String description) {
        return new EarnCommand(M, 100, "PURCHASE", "order-1", null, description);
    }

    /** expected == null means the command must be accepted. */
    record Row(String name, EarnCommand command, long balance, Refusal expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row ok(String name, EarnCommand command) {
        return new Row(name, command, 0, null);
    }

    static Row no(String name, EarnCommand command, Refusal expected) {
        return new Row(name, command, 0, expected);
    }

    static Stream<Row> boundaries() {
        String desc501 = "d".repeat(501);
        return Stream.of(
                ok("points 1", points(1)),
                ok("points 1,000,000,000", points(1_000_000_000L)),
                no("points 0", points(0), new InvalidPoints(0)),
                no("points -1", points(-1), new InvalidPoints(-1)),
                no("points 1,000,000,001", points(1_000_000_001L), new InvalidPoints(1_000_000_001L)),
                no("points Long.MIN_VALUE", points(Long.MIN_VALUE), new InvalidPoints(Long.MIN_VALUE)),

                ok("member id of 64", member("a".repeat(64))),
                ok("member id with every allowed symbol", member("Az09_.:-")),
                no("member id of 65", member("a".repeat(65)), new InvalidMemberId("memberId", "a".repeat(65))),
                no("member id with space", member("m 1"), new InvalidMemberId("memberId", "m 1")),
                no("member id with slash", member("m/1"), new InvalidMemberId("memberId", "m/1")),
                no("member id non-ASCII", member("mé"), new InvalidMemberId("memberId", "mé")),
                no("member id empty", member(""), new InvalidMemberId("memberId", "")),
                no("member id null", member(null), new InvalidMemberId("memberId", null)),

                ok("type BONUS", type("BONUS")),
                no("type null", type(null), new UnknownPointType(null)),
                no("type blank", type("  "), new UnknownPointType("  ")),
                no("type wrong case", type("purchase"), new UnknownPointType("purchase")),

                ok("reference of 128", reference("r".repeat(128))),
                ok("reference at both ends of printable ASCII", reference("!~")),
                no("reference of 129", reference("r".repeat(129)), new InvalidReference("r".repeat(129))),
                no("reference with space", reference("a b"), new InvalidReference("a b")),
                no("reference with DEL", reference("a\u007F"), new InvalidReference("a\u007F")),
                no("reference non-ASCII", reference("é"), new InvalidReference("é")),
                no("reference empty", reference(""), new InvalidReference("")),
                no("reference null", reference(null), new InvalidReference(null)),

                ok("occurredAt null (now)", occurredAt(null)),
                ok("occurredAt now+300s", occurredAt(NOW.plusSeconds(300))),
                ok("occurredAt ten years ago", occurredAt(NOW.minusSeconds(10L * 366 * 86_400))),
                no("occurredAt now+301s", occurredAt(NOW.plusSeconds(301)),
                        new OccurredInFuture(NOW.plusSeconds(301), NOW.plusSeconds(300))),
                no("occurredAt now+300s+1ns", occurredAt(NOW.plusSeconds(300).plusNanos(1)),
                        new OccurredInFuture(NOW.plusSeconds(300).plusNanos(1), NOW.plusSeconds(300))),

                ok("description null", description(null)),
                ok("description empty", description("")),
                ok("description of 500", description("d".repeat(500))),
                ok("description with emoji", description("thanks \uD83D\uDE00")),
                no("description of 501", description(desc501), new InvalidText("description", 501, false)),
                no("description with newline", description("a\nb"), new InvalidText("description", 3, false)),
                no("description with lone surrogate", description("a\uD83D"), new InvalidText("description", 2, false)),

                ok("expiresAt 1ns after occurredAt", expiresAt(null, NOW.plusNanos(1))),
                ok("expiresAt 36525 days after occurredAt", expiresAt(null, NOW.plus(Duration.ofDays(36_525)))),
                ok("expiresAt already past (imported expired lot)",
                        expiresAt(NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(35)))),
                no("expiresAt equal to occurredAt", expiresAt(null, NOW), new InvalidExpiresAt(NOW, NOW)),
                no("expiresAt before occurredAt", expiresAt(NOW.minusSeconds(10), NOW.minusSeconds(11)),
                        new InvalidExpiresAt(NOW.minusSeconds(11), NOW.minusSeconds(10))),
                no("expiresAt 36525 days and 1ns after occurredAt",
                        expiresAt(null, NOW.plus(Duration.ofDays(36_525)).plusNanos(1)),
                        new InvalidExpiresAt(NOW.plus(Duration.ofDays(36_525)).plusNanos(1), NOW)),

                new Row("balance MAX-1 plus 1", points(1), Long.MAX_VALUE - 1, null),
                new Row("balance MAX-1 plus 2", points(2), Long.MAX_VALUE - 1,
                        new BalanceOverflow(Long.MAX_VALUE - 1, 2)),
                new Row("balance MAX plus 1", points(1), Long.MAX_VALUE,
                        new BalanceOverflow(Long.MAX_VALUE, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundaries")
    void boundary(Row row) {
        String raw = row.command().memberId();
        MemberId owner = new MemberId(MemberId.isValid(raw) ? raw : M);
        AccountState state = new AccountState(owner, row.balance(), row.balance() == 0 ? 0 : 3);
        Object outcome = earn(state, row.command());
        if (row.expected() == null) {
            Earned earned = assertInstanceOf(Earned.class, outcome);
            assertEquals(row.balance() + row.command().points(), earned.after().balance());
        } else {
            assertEquals(row.expected(), outcome);
        }
    }

    @Test
    void missingTypeSaysRequiredAndUnknownTypeDoesNot() {
        assertEquals("type is required", new UnknownPointType(null).message());
        assertEquals("type is required", new UnknownPointType(" ").message());
        assertEquals("type is not a known point type", new UnknownPointType("NOPE").message());
    }

    @Test
    void stateOfAnotherMemberIsACallerBug() {
        AccountState other = AccountState.empty(new MemberId("someone-else"));
        assertThrows(IllegalArgumentException.class, () -> earn(other, points(100)));
    }

    // --- success ---

    @Test
    void earnProducesExactEntryLotAndState() {
        Instant occurredAt = NOW.minusSeconds(3600);
        AccountState state = new AccountState(new MemberId(M), 250, 4);
        EarnCommand command = new EarnCommand(M, 100, "PURCHASE", "order-1", occurredAt, "Order #1");

        Earned earned = assertInstanceOf(Earned.class, earn(state, command));

        MemberId member = new MemberId(M);
        Instant expiresAt = Instant.parse("2026-06-16T00:00:00Z"); // 2025-06-15 + 365 days, end of day
        assertEquals(new LedgerEntry(ENTRY_ID, member, 5, EntryKind.EARN, 100, 350, "PURCHASE", "order-1",
                "Order #1", occurredAt, NOW), earned.entry());
        assertEquals(new Lot(LOT_ID, member, "PURCHASE", 100, 100, occurredAt, expiresAt), earned.lot());
        assertEquals(new AccountState(member, 350, 5), earned.after());
    }

    @ParameterizedTest(name = "{0} expires at {1}")
    @CsvSource(nullValues = "never", value = {
            "PURCHASE, 2026-06-16T00:00:00Z",
            "SIGN_IN,  2025-07-16T00:00:00Z",
            "PROMO,    2025-09-14T00:00:00Z",
            "BONUS,    never"})
    void lotExpiryFollowsTheType(String type, Instant expected) {
        Earned earned = assertInstanceOf(Earned.class, earn(AccountState.empty(new MemberId(M)), type(type)));
        assertEquals(expected, earned.lot().expiresAt());
        assertEquals(type, earned.lot().pointType());
        assertEquals(type, earned.entry().pointType());
    }

    @Test
    void missingOccurredAtDefaultsToNow() {
        Earned earned = assertInstanceOf(Earned.class, earn(AccountState.empty(new MemberId(M)), occurredAt(null)));
        assertEquals(NOW, earned.entry().occurredAt());
        assertEquals(NOW, earned.lot().earnedAt());
        assertEquals(NOW, earned.entry().recordedAt());
        assertNull(earned.entry().description());
    }

    @Test
    void backDatedEarnWhoseExpiryHasPassedIsStillRecorded() {
        Instant longAgo = Instant.parse("2020-01-01T10:00:00Z");
        EarnCommand command = new EarnCommand(M, 40, "SIGN_IN", "signin-2020", longAgo, null);

        Earned earned = assertInstanceOf(Earned.class, earn(AccountState.empty(new MemberId(M)), command));

        assertEquals(Instant.parse("2020-02-01T00:00:00Z"), earned.lot().expiresAt());
        assertTrue(earned.lot().isExpiredAt(NOW));
        assertEquals(1, earned.entry().sequence());
        assertEquals(40, earned.after().balance());
    }

    @Test
    void expiryIsCountedInTheProgramZone() {
        // 10:00Z on 06-15 is already 06-16 in UTC+14, so the 30 days count from 06-16 there.
        PointTypeCatalog kiritimati = PointTypeCatalog.defaults(ZoneId.of("Pacific/Kiritimati"));
        EarnCommand command = new EarnCommand(M, 5, "SIGN_IN", "s-1", Instant.parse("2025-06-15T10:00:00Z"), null);
        Earned earned = assertInstanceOf(Earned.class,
                EarnRule.apply(AccountState.empty(new MemberId(M)), command, NOW, kiritimati, ids()));
        assertEquals(Instant.parse("2025-07-16T10:00:00Z"), earned.lot().expiresAt());
    }

    @Test
    void explicitExpiresAtReplacesThePolicyEvenForNeverExpiringTypes() {
        Instant expiresAt = Instant.parse("2025-09-01T12:34:56Z");
        EarnCommand command = new EarnCommand(M, 70, "BONUS", "import-1", NOW.minusSeconds(60), null, expiresAt);
        Earned earned = assertInstanceOf(Earned.class, earn(AccountState.empty(new MemberId(M)), command));
        assertEquals(expiresAt, earned.lot().expiresAt());
    }

    @Test
    void expiresAtIsPartOfTheFingerprintOnlyWhenPresent() {
        EarnCommand plain = new EarnCommand(M, 70, "BONUS", "import-1", NOW, null);
        EarnCommand explicitNull = new EarnCommand(M, 70, "BONUS", "import-1", NOW, null, null);
        EarnCommand dated = new EarnCommand(M, 70, "BONUS", "import-1", NOW, null, NOW.plusSeconds(5));
        assertEquals(dev.loyalty.core.reference.RequestFingerprint.earn(plain),
                dev.loyalty.core.reference.RequestFingerprint.earn(explicitNull));
        assertFalse(dev.loyalty.core.reference.RequestFingerprint.earn(plain)
                .equals(dev.loyalty.core.reference.RequestFingerprint.earn(dated)));
    }
}
