package dev.loyalty.functions;

import dev.loyalty.core.MemberId;
import dev.loyalty.core.reports.ReportWindow;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.functions.reports.ProgramReports;
import dev.loyalty.functions.reports.ReportRollup;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report-rollup job (V21) and the activity and funnel reports that read it: in the program
 * time zone Asia/Kathmandu (UTC+05:45, so local days start at 18:15Z), over days that straddle
 * the zone's boundaries, an open day (today) and late entries, every answer after a partial run,
 * a run in member ranges, a full run, a second run, late entries and their absorption equals the
 * answer read from the ledger alone (before any rollup); the worked numbers pin that answer.
 */
@QuarkusTest
@TestProfile(FunctionProfile.ReportsKathmandu.class)
class ReportRollupTest extends SpendingSupport {
    static final String ZONE = "Asia/Kathmandu";
    /** "Now": 2066-03-06 11:45 in Kathmandu; days before 03-06 are closed. */
    static final Instant NOW = Instant.parse("2066-03-06T06:00:00Z");

    @Inject
    SpendService spend;
    @Inject
    ReportRollup rollup;
    @Inject
    ProgramReports reports;
    @Inject
    dev.loyalty.functions.config.LoyaltyConfig loyalty;
    @Inject
    dev.loyalty.functions.schedule.ScheduleConfig schedules;

    @AfterEach
    void cleanUp() throws SQLException {
        TestClock.release();
        clearRollup();
    }

    static void clearRollup() throws SQLException {
        try (Connection c = DistributionReadinessTest.owner(); var s = c.createStatement()) {
            for (String table : List.of("report_rollup_checkpoints", "report_rollup_days", "report_rollup_day_types", "report_member_days")) {
                s.execute("DELETE FROM " + table + " WHERE zone = '" + ZONE + "'");
            }
        }
    }

    /** The rollup starts at 2066-02-01 (older days of other tests' data count as rolled and empty), watermark now - settle. */
    static void startRollupAt(LocalDate day, Instant watermark) throws SQLException {
        try (Connection c = DistributionReadinessTest.owner(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO report_rollup_checkpoints(zone, rolled_until, watermark, part_after, updated_at) VALUES (?, ?, ?, NULL, now())")) {
            s.setString(1, ZONE);
            s.setObject(2, day);
            s.setObject(3, java.time.OffsetDateTime.ofInstant(watermark, java.time.ZoneOffset.UTC));
            s.executeUpdate();
        }
    }

    UUID earnAt(String member, long points, String type, Instant at) {
        TestClock.pin(at);
        return seed(member, points, type, at);
    }

    UUID redeemAt(String member, long points, Instant at) {
        TestClock.pin(at);
        var done = assertInstanceOf(SpendResult.Done.class, spend.redeem(new MemberId(member), new RedeemCommand(points, "r-" + at, null)));
        return ((Receipts.Redeemed) done.receipt()).transactionId();
    }

    static ReportWindow w(String from, String to) {
        return new ReportWindow(Instant.parse(from), Instant.parse(to));
    }

    /** Days D1..D3 of Kathmandu exactly (03-02, 03-03, 03-04). */
    static final ReportWindow DAYS = w("2066-03-01T18:15:00Z", "2066-03-04T18:15:00Z");
    static final List<ReportWindow> WINDOWS = List.of(
            DAYS,
            w("2066-02-28T00:00:00Z", "2066-03-06T12:00:00Z"), // unaligned ends, up to today (open)
            w("2066-03-02T20:00:00Z", "2066-03-03T03:00:00Z"), // inside one day
            w("2066-03-01T18:19:00Z", "2066-03-06T18:15:00Z"), // starts a minute before a's earn of D1
            w("2066-01-20T00:00:00Z", "2066-03-10T00:00:00Z")); // months and weeks around everything

    /** Every report of every window, in one list (records compare by value). */
    List<Object> answers() {
        List<Object> all = new ArrayList<>();
        for (ReportWindow window : WINDOWS) {
            for (ProgramReports.Bucket b : ProgramReports.Bucket.values()) {
                all.add(reports.activity(window, b));
            }
            all.add(reports.funnel(window));
        }
        return all;
    }

    @Test
    void theRollupAnswersAsTheLedgerDoesThroughPartialRunsRangesReRunsAndLateEntries() throws SQLException {
        clearRollup();
        String a = newMember();
        String b = newMember();
        String d = newMember();
        String e = newMember();
        String f = newMember();
        String g = newMember();
        String h = newMember();
        earnAt(d, 500, "BONUS", Instant.parse("2066-02-01T00:00:00Z"));
        earnAt(a, 100, "PURCHASE", Instant.parse("2066-03-01T18:10:00Z")); // 03-01 23:55 local (D0)
        earnAt(a, 50, "BONUS", Instant.parse("2066-03-01T18:20:00Z"));     // 03-02 00:05 local (D1)
        earnAt(b, 200, "PURCHASE", Instant.parse("2066-03-02T04:00:00Z")); // D1
        redeemAt(d, 10, Instant.parse("2066-03-02T05:00:00Z"));             // D1, before d's first earn in the window
        earnAt(d, 40, "PURCHASE", Instant.parse("2066-03-02T07:00:00Z"));  // D1
        redeemAt(a, 30, Instant.parse("2066-03-03T06:00:00Z"));             // D2
        earnAt(f, 100, "PURCHASE", Instant.parse("2066-03-03T10:00:00Z")); // D2
        TestClock.pin(Instant.parse("2066-03-03T11:00:00Z"));               // D2: an operator's adjustment of b
        assertInstanceOf(SpendResult.Done.class, spend.adjust(new MemberId(b), new AdjustCommand(15, "BONUS", "adj-" + b, "goodwill")));
        redeemAt(d, 20, Instant.parse("2066-03-04T01:00:00Z"));             // D3
        UUID fRedeem = redeemAt(f, 60, Instant.parse("2066-03-04T02:00:00Z")); // D3
        TestClock.pin(Instant.parse("2066-03-04T03:00:00Z"));
        assertInstanceOf(SpendResult.Done.class, spend.reverse(new MemberId(f), new ReversalCommand(fRedeem, 20L, "rr-" + f, null)));
        earnAt(g, 70, "SIGN_IN", Instant.parse("2066-03-04T10:00:00Z"));   // D3
        earnAt(e, 80, "PURCHASE", Instant.parse("2066-03-06T01:00:00Z"));  // today (open)
        redeemAt(e, 30, Instant.parse("2066-03-06T02:00:00Z"));
        TestClock.pin(NOW);

        List<Object> raw = answers();
        // The worked numbers of the ledger's answer, days D1..D3.
        var days = reports.activity(DAYS, ProgramReports.Bucket.DAY).buckets();
        assertEquals(3, days.size());
        assertEquals(List.of(290L, 100L, 70L), days.stream().map(ProgramReports.ActivityBucket::issued).toList());
        assertEquals(List.of(10L, 30L, 80L), days.stream().map(ProgramReports.ActivityBucket::redeemed).toList());
        assertEquals(List.of(0L, 0L, 20L), days.stream().map(ProgramReports.ActivityBucket::reversed).toList());
        assertEquals(List.of(0L, 15L, 0L), days.stream().map(ProgramReports.ActivityBucket::adjusted).toList());
        assertEquals(List.of(3L, 3L, 3L), days.stream().map(ProgramReports.ActivityBucket::activeMembers).toList());
        assertEquals(70L, days.get(2).byType().get("SIGN_IN").issued());
        var funnel = reports.funnel(DAYS);
        assertEquals(5, funnel.earnedMembers(), "a, b, d, f, g");
        assertEquals(3, funnel.redeemedMembers(), "a, d, f");
        // a 1 d 11 h 40 min, d 1 d 18 h (its D1 redeem came before its earn), f 16 h: the median is a's.
        assertEquals(new BigDecimal("1.49"), funnel.medianDaysToFirstRedeem());

        startRollupAt(LocalDate.parse("2066-02-01"), NOW.minusSeconds(900));
        long accounts = db.read(tx -> tx.query("SELECT COUNT(*) FROM accounts").iterator().next().getLong(0));
        int chunk = (int) (accounts / 3 + 1); // a large day (more than 1 entry here) is rolled in 3 or 4 member ranges

        // Partial: 02-01 (one entry) and D0 (one entry) at once, then D1 starts its ranges; D1 is still open.
        ReportRollup.Report first = rollup.run(1, chunk, 60_000, 3);
        assertEquals(3, first.steps());
        assertEquals(2, first.daysRolled());
        assertFalse(first.finished());
        assertEquals(LocalDate.parse("2066-03-02"), first.rolledUntil());
        assertEquals(raw, answers(), "after a partial run");
        ReportRollup.Report ranges = rollup.run(1, chunk, 60_000, 2);
        assertEquals(2, ranges.ranges());
        assertEquals(raw, answers(), "in the middle of a day's member ranges");

        // Another run holding the checkpoint: this one stops at once and changes nothing.
        try (Connection c = DistributionReadinessTest.owner()) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                s.execute("SELECT 1 FROM report_rollup_checkpoints WHERE zone = '" + ZONE + "' FOR UPDATE");
            }
            ReportRollup.Report busy = rollup.run();
            assertTrue(busy.busy());
            assertEquals(0, busy.steps());
            c.rollback();
        }

        ReportRollup.Report rest = rollup.run(1, chunk, 60_000, Integer.MAX_VALUE);
        assertTrue(rest.finished());
        assertEquals(LocalDate.parse("2066-03-06"), rest.rolledUntil(), "03-05 had no data; 03-06 is today");
        assertEquals(raw, answers(), "after the rollup of every closed day");
        assertEquals(List.of(290L, 100L, 70L), rolledIssued());

        ReportRollup.Report again = rollup.run();
        assertTrue(again.finished());
        assertEquals(0, again.steps());
        assertEquals(raw, answers(), "after a second run");

        // Late entries of rolled days (recorded now): h earns on D1, a on D2 (a member already in D2's rows).
        TestClock.pin(NOW.plusSeconds(60));
        seed(h, 25, "PROMO", Instant.parse("2066-03-02T08:00:00Z"));
        seed(a, 5, "BONUS", Instant.parse("2066-03-03T07:00:00Z"));
        List<Object> late = answers();
        var lateDays = reports.activity(DAYS, ProgramReports.Bucket.DAY).buckets();
        assertEquals(List.of(315L, 105L, 70L), lateDays.stream().map(ProgramReports.ActivityBucket::issued).toList());
        assertEquals(List.of(4L, 3L, 3L), lateDays.stream().map(ProgramReports.ActivityBucket::activeMembers).toList());
        assertEquals(6, reports.funnel(DAYS).earnedMembers());
        assertEquals(List.of(290L, 100L, 70L), rolledIssued(), "not rolled yet");
        // The ledger alone says the same (the rollup removed).
        clearRollup();
        assertEquals(late, answers(), "the ledger alone");
        startRollupAt(LocalDate.parse("2066-02-01"), NOW.minusSeconds(900));
        rollup.run();
        assertEquals(late, answers(), "rolled again, the late entries after the watermark");

        // Once settled, the next run folds them in: the rollup alone holds them.
        TestClock.pin(NOW.plusSeconds(60 + 901));
        ReportRollup.Report absorbed = rollup.run();
        assertTrue(absorbed.finished());
        assertEquals(2, absorbed.lateEntries());
        assertEquals(List.of(315L, 105L, 70L), rolledIssued());
        assertEquals(late, answers(), "after the late entries were folded in");
        assertEquals(List.of(4L, 3L, 3L), rolledActive());

        // A clock that moves at every read, as a real one does: a run absorbs once (up to its own
        // now - settle) and finishes; it does not chase the clock step after step.
        // (In nanoseconds, as the system clock reads: PostgreSQL keeps microseconds.)
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(NOW.plusSeconds(2000).getEpochSecond() * 1_000_000_000L + 123_456_789L);
        java.time.Clock ticking = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                long n = nanos.addAndGet(5_000_123L);
                return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
            }
        };
        ReportRollup.Report moving = new ReportRollup(db, loyalty, schedules, ticking).run(200_000, 100_000, 60_000, 1_000);
        assertTrue(moving.finished(), moving.toString());
        assertEquals(1, moving.steps(), "one absorb, then nothing closed: " + moving);
        assertEquals(late, answers());
        TestClock.release();
    }

    List<Long> rolledIssued() throws SQLException {
        return column("issued");
    }

    List<Long> rolledActive() throws SQLException {
        return column("active_members");
    }

    private List<Long> column(String column) throws SQLException {
        try (Connection c = DistributionReadinessTest.owner(); PreparedStatement s = c.prepareStatement("SELECT " + column
                + " FROM report_rollup_days WHERE zone = ? AND day BETWEEN '2066-03-02' AND '2066-03-04' ORDER BY day")) {
            s.setString(1, ZONE);
            List<Long> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getLong(1));
                }
            }
            return out;
        }
    }
}
