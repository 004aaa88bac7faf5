package dev.loyalty.core.tiers;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link TierDecision#onWrite} and {@link TierDecision#reviewAt}: what the ledger writer stores per write. */
class TierWriteTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    static final TierSet SET = TierDecisionTest.parse(TierDecisionTest.CONTRACT);

    static QualifyingDay purchase(String day, long points) {
        return new QualifyingDay(LocalDate.parse(day), "PURCHASE", points);
    }

    @Test
    void theCrossingWriteEarnsWithTheTierBeforeItAndRecordsQualified() {
        Instant now = Instant.parse("2027-03-01T10:00:00Z");
        TierDecision.Written w = TierDecision.onWrite(SET, null, now.minusSeconds(60), List.of(purchase("2027-02-01", 999)),
                List.of(purchase("2027-03-01", 1)), now, UTC);
        assertEquals("MEMBER", w.before().name());
        assertEquals("SILVER", w.after().tier().name());
        assertEquals(List.of(new TierChange("MEMBER", "SILVER", now, TierChangeReason.QUALIFIED)), w.changes());
        // SILVER until the February earn leaves the window: the start of 2028-02-01 (1 point short then).
        assertEquals(Instant.parse("2028-02-01T00:00:00Z"), w.reviewAt());
    }

    @Test
    void aTakeBackStartsTheGraceAndTheReviewIsDueWhenItEnds() {
        Instant earned = Instant.parse("2027-03-01T10:00:00Z");
        TierDecision.Written gold = TierDecision.onWrite(SET, null, earned, List.of(), List.of(purchase("2027-03-01", 5200)),
                earned, UTC);
        assertEquals("GOLD", gold.after().tier().name());
        Instant later = earned.plus(Duration.ofHours(5));
        TierDecision.Written back = TierDecision.onWrite(SET, gold.after().record(), earned, List.of(purchase("2027-03-01", 5200)),
                List.of(purchase("2027-03-01", -300)), later, UTC);
        assertEquals("GOLD", back.after().tier().name());
        assertEquals(List.of(), back.changes());
        assertEquals(later.plus(Duration.ofDays(30)), back.reviewAt());
        assertEquals(later.plus(Duration.ofDays(30)), back.after().downgradeAt());
    }

    @Test
    void aTakeBackNeverGoesBelowWhatWasCounted() {
        List<QualifyingDay> after = QualifyingPoints.apply(List.of(purchase("2027-03-01", 100)),
                List.of(purchase("2027-03-01", -300), purchase("2027-03-02", -5)));
        assertEquals(List.of(purchase("2027-03-01", 0), purchase("2027-03-02", 0)), after);
    }

    @Test
    void theLowestTierNeedsNoReview() {
        TierRecord member = TierRecord.initial(SET, Instant.parse("2027-03-01T10:00:00Z"));
        assertNull(TierDecision.reviewAt(SET, member, QualifyingPoints.fromRows(SET, List.of(purchase("2027-03-01", 10))), UTC));
    }

    @Test
    void aReadRollsTheRecordForwardLikeTheReviewWould() {
        Instant earned = Instant.parse("2027-03-01T10:00:00Z");
        List<QualifyingDay> rows = List.of(purchase("2027-03-01", 1200));
        TierDecision.Written silver = TierDecision.onWrite(SET, null, earned, List.of(), rows, earned, UTC);
        Instant due = silver.reviewAt();
        assertEquals(Instant.parse("2028-03-01T00:00:00Z"), due);
        TierDecision.Outcome atDue = TierDecision.read(SET, silver.after().record(), earned, rows, due.plusSeconds(1), UTC);
        assertEquals("SILVER", atDue.tier().name());
        assertEquals(due.plus(Duration.ofDays(30)), atDue.downgradeAt());
        TierDecision.Outcome after = TierDecision.read(SET, silver.after().record(), earned, rows,
                due.plus(Duration.ofDays(31)), UTC);
        assertEquals("MEMBER", after.tier().name());
        assertEquals(List.of(new TierChange("SILVER", "MEMBER", due.plus(Duration.ofDays(30)), TierChangeReason.GRACE_ENDED)),
                after.changes());
    }
}
