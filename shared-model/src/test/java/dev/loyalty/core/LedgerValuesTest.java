package dev.loyalty.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invariants of the smaller values: entries, account state, point types and the catalog. */
class LedgerValuesTest {

    static final MemberId M = new MemberId("m-1");
    static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    static LedgerEntry entry(EntryKind kind, long points) {
        return new LedgerEntry(UUID.randomUUID(), M, 1, kind, points, 0, null, "ref-1", null, T, T);
    }

    @ParameterizedTest(name = "{0} {1} allowed={2}")
    @CsvSource({
            "EARN, 1, true", "EARN, -1, false", "TRANSFER_IN, 1, true", "TRANSFER_IN, -1, false",
            "REDEEM, -1, true", "REDEEM, 1, false", "EXPIRE, -1, true", "EXPIRE, 1, false",
            "TRANSFER_OUT, -1, true", "TRANSFER_OUT, 1, false",
            "REVERSAL, 1, true", "REVERSAL, -1, true", "ADJUSTMENT, 1, true", "ADJUSTMENT, -1, true",
            "EARN, 0, false", "REDEEM, 0, false", "REVERSAL, 0, false", "ADJUSTMENT, 0, false"})
    void entrySignFollowsKind(EntryKind kind, long points, boolean allowed) {
        assertEquals(allowed, kind.allowsPoints(points));
        if (allowed) {
            assertDoesNotThrow(() -> entry(kind, points));
        } else {
            assertThrows(IllegalArgumentException.class, () -> entry(kind, points));
        }
    }

    @Test
    void entryRejectsBadSequenceReferenceDescriptionAndType() {
        UUID id = UUID.randomUUID();
        EntryKind earn = EntryKind.EARN;
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(id, M, 0, earn, 1, 1, null, "r", null, T, T));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(id, M, 1, earn, 1, 1, null, "a b", null, T, T));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(id, M, 1, earn, 1, 1, null, "r", "a\nb", T, T));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(id, M, 1, earn, 1, 1, "bad", "r", null, T, T));
    }

    @Test
    void accountStateAdvancesOneEntryAtATime() {
        AccountState empty = AccountState.empty(M);
        assertEquals(new AccountState(M, 0, 0), empty);
        assertEquals(new AccountState(M, 70, 2), empty.advance(100).advance(-30));
        assertThrows(ArithmeticException.class, () -> new AccountState(M, Long.MAX_VALUE, 1).advance(1));
    }

    @Test
    void accountStateRejectsImpossibleStates() {
        assertThrows(IllegalArgumentException.class, () -> new AccountState(M, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new AccountState(M, 5, 0));
    }

    @Test
    void pointTypeCodes() {
        assertEquals(32, PointType.CODE_MAX_LENGTH);
        for (String ok : List.of("A", "SIGN_IN", "X9", "A".repeat(32))) {
            assertTrue(PointType.isValidCode(ok), ok);
        }
        for (String bad : new String[]{null, "", "sign_in", "SIGN-IN", "SIGN IN", "A".repeat(33)}) {
            assertFalse(PointType.isValidCode(bad), bad);
        }
    }

    @Test
    void defaultCatalog() {
        PointTypeCatalog catalog = PointTypeCatalog.defaults(ZoneOffset.UTC);
        assertEquals(List.of("BONUS", "PROMO", "PURCHASE", "SIGN_IN"), List.copyOf(catalog.codes()));
        assertEquals(Optional.of(new ExpiryPolicy.AfterDays(365)), catalog.find("PURCHASE").map(PointType::policy));
        assertEquals(Optional.of(new ExpiryPolicy.AfterDays(30)), catalog.find("SIGN_IN").map(PointType::policy));
        assertEquals(Optional.of(new ExpiryPolicy.AfterDays(90)), catalog.find("PROMO").map(PointType::policy));
        assertEquals(Optional.of(new ExpiryPolicy.Never()), catalog.find("BONUS").map(PointType::policy));
        assertEquals(Optional.empty(), catalog.find(null));
        assertEquals(Optional.empty(), catalog.find("purchase"));
    }

    @Test
    void catalogIsAnImmutableCopy() {
        Map<String, PointType> source = new HashMap<>();
        source.put("A", new PointType("A", new ExpiryPolicy.Never()));
        PointTypeCatalog catalog = new PointTypeCatalog(source, ZoneOffset.UTC);
        source.put("B", new PointType("B", new ExpiryPolicy.Never()));
        assertEquals(List.of("A"), List.copyOf(catalog.codes()));
        assertThrows(UnsupportedOperationException.class, () -> catalog.types().remove("A"));
    }

    @Test
    void catalogKeyMustMatchCode() {
        Map<String, PointType> mismatched = Map.of("A", new PointType("B", new ExpiryPolicy.Never()));
        assertThrows(IllegalArgumentException.class, () -> new PointTypeCatalog(mismatched, ZoneOffset.UTC));
    }
}
