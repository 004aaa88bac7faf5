package dev.loyalty.core.tiers;

import dev.loyalty.core.EntryKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link QualifyingPoints#rebuild} and {@link QualifyingPoints#corrections}: the rows the ledger gives. */
class QualifyingRebuildTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    static final LocalDate FROM = LocalDate.parse("2026-01-01");

    static QualifyingSource earn(UUID id, String at, String type, long points) {
        return new QualifyingSource(id, EntryKind.EARN, points, type, Instant.parse(at), null);
    }

    static QualifyingSource back(EntryKind kind, UUID of, long points) {
        return new QualifyingSource(UUID.randomUUID(), kind, -points, "PURCHASE", Instant.parse("2026-06-01T00:00:00Z"), of);
    }

    static QualifyingDay row(String day, String type, long points) {
        return new QualifyingDay(LocalDate.parse(day), type, points);
    }

    @Test
    void earnsCountOnTheirDayLessWhatReversalsAndReturnsTookBackAndNothingElseCounts() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        UUID old = UUID.randomUUID();
        UUID redeem = UUID.randomUUID();
        List<QualifyingSource> ledger = List.of(
                earn(a, "2026-03-01T10:00:00Z", "PURCHASE", 500),
                earn(b, "2026-03-01T18:00:00Z", "PURCHASE", 300),
                earn(c, "2026-03-02T09:00:00Z", "BONUS", 50),
                earn(old, "2025-12-31T23:00:00Z", "PURCHASE", 9_000), // before FROM: not rebuilt
                back(EntryKind.RETURN, a, 120),                      // a return took 120 of a
                back(EntryKind.RETURN, a, 80),                       // and a second one 80
                back(EntryKind.REVERSAL, b, 300),                    // b reversed in full: its row stays, at zero
                new QualifyingSource(redeem, EntryKind.REDEEM, -400, null, Instant.parse("2026-03-03T00:00:00Z"), null),
                back(EntryKind.REVERSAL, redeem, 400),               // reversing a redeem restores no qualifying points
                new QualifyingSource(UUID.randomUUID(), EntryKind.TRANSFER_IN, 700, "PURCHASE",
                        Instant.parse("2026-03-04T00:00:00Z"), null),
                new QualifyingSource(UUID.randomUUID(), EntryKind.EXPIRE, -50, "BONUS",
                        Instant.parse("2026-03-05T00:00:00Z"), null));
        assertEquals(List.of(row("2026-03-01", "PURCHASE", 300), row("2026-03-02", "BONUS", 50)),
                QualifyingPoints.rebuild(ledger, UTC, FROM));
    }

    @Test
    void theDayIsTheProgramTimeZonesDay() {
        UUID a = UUID.randomUUID();
        List<QualifyingSource> ledger = List.of(earn(a, "2026-03-01T10:00:00Z", "PURCHASE", 10));
        assertEquals(List.of(row("2026-03-02", "PURCHASE", 10)),
                QualifyingPoints.rebuild(ledger, ZoneId.of("Pacific/Kiritimati"), FROM)); // UTC+14
        assertEquals(List.of(row("2026-02-28", "PURCHASE", 10)),
                QualifyingPoints.rebuild(ledger, ZoneId.of("Pacific/Pago_Pago"), FROM)); // UTC-11
    }

    @Test
    void correctionsTakeTheStoredRowsToTheRebuiltOnes() {
        List<QualifyingDay> rebuilt = List.of(row("2026-03-01", "PURCHASE", 300), row("2026-03-02", "BONUS", 50));
        // Kept since the rows exist: the March 1st earn; the March 2nd one predates them; a row no earn accounts for.
        List<QualifyingDay> stored = List.of(row("2025-11-01", "PURCHASE", 70), row("2026-03-01", "PURCHASE", 300),
                row("2026-04-01", "PURCHASE", 5));
        List<QualifyingDay> changes = QualifyingPoints.corrections(stored, rebuilt, FROM);
        assertEquals(List.of(row("2026-03-02", "BONUS", 50), row("2026-04-01", "PURCHASE", -5)), changes);
        assertEquals(List.of(row("2025-11-01", "PURCHASE", 70), row("2026-03-01", "PURCHASE", 300),
                row("2026-03-02", "BONUS", 50), row("2026-04-01", "PURCHASE", 0)), QualifyingPoints.apply(stored, changes));
        assertEquals(List.of(), QualifyingPoints.corrections(rebuilt, rebuilt, FROM));
    }

    /** Random histories: the rows the writes keep step by step ({@link QualifyingPoints#apply}) are the rebuilt ones. */
    @Test
    void theRowsTheWritesKeepAreTheRowsTheLedgerRebuilds() {
        Random random = new Random(17);
        for (int run = 0; run < 500; run++) {
            List<QualifyingSource> ledger = new ArrayList<>();
            List<QualifyingDay> kept = new ArrayList<>();
            Map<UUID, long[]> left = new TreeMap<>(); // earn id -> {points not yet taken back}
            Map<UUID, QualifyingSource> earns = new TreeMap<>();
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            for (int step = 0; step < 30; step++) {
                t = t.plus(Duration.ofHours(1 + random.nextInt(60)));
                if (earns.isEmpty() || random.nextInt(3) > 0) {
                    UUID id = UUID.randomUUID();
                    String type = random.nextBoolean() ? "PURCHASE" : "BONUS";
                    long points = 1 + random.nextInt(1_000);
                    QualifyingSource e = new QualifyingSource(id, EntryKind.EARN, points, type, t, null);
                    ledger.add(e);
                    earns.put(id, e);
                    left.put(id, new long[]{points});
                    kept = QualifyingPoints.apply(kept, List.of(new QualifyingDay(QualifyingPoints.day(t, UTC), type, points)));
                } else {
                    UUID id = new ArrayList<>(earns.keySet()).get(random.nextInt(earns.size()));
                    long[] l = left.get(id);
                    if (l[0] == 0) {
                        continue;
                    }
                    // A return takes part, a reversal what is left (never more than the earn).
                    boolean reversal = random.nextInt(4) == 0;
                    long taken = reversal ? l[0] : 1 + random.nextInt((int) l[0]);
                    l[0] -= taken;
                    QualifyingSource e = earns.get(id);
                    ledger.add(new QualifyingSource(UUID.randomUUID(), reversal ? EntryKind.REVERSAL : EntryKind.RETURN,
                            -taken, e.pointType(), t, id));
                    kept = QualifyingPoints.apply(kept, List.of(new QualifyingDay(QualifyingPoints.day(e.occurredAt(), UTC),
                            e.pointType(), -taken)));
                }
            }
            List<QualifyingDay> rebuilt = QualifyingPoints.rebuild(ledger, UTC, LocalDate.MIN);
            assertEquals(kept, rebuilt, "run " + run);
            assertEquals(List.of(), QualifyingPoints.corrections(kept, rebuilt, LocalDate.MIN), "run " + run);
        }
    }

    /**
     * The days the reads (and so the rebuild) cover: with no record the floor, else 368 days before
     * the evaluation's UTC date when that is earlier (it is, for any evaluation up to today).
     */
    @Test
    void theFirstDayReadIsTheFloorOrAYearAndThreeDaysBeforeTheEvaluation() {
        LocalDate today = LocalDate.parse("2026-12-02");
        assertEquals(LocalDate.parse("2025-11-30"), QualifyingPoints.readFloor(today));
        assertEquals(QualifyingPoints.readFloor(today), QualifyingPoints.firstDayRead(today, null));
        assertEquals(LocalDate.parse("2025-11-28"), QualifyingPoints.firstDayRead(today, Instant.parse("2026-12-01T23:00:00Z")));
        assertEquals(QualifyingPoints.readFloor(today), QualifyingPoints.firstDayRead(today, Instant.parse("2026-12-05T00:00:00Z")),
                "an evaluation after today (clock skew) gives the floor");
        assertEquals(LocalDate.parse("2026-01-01").minusDays(368),
                QualifyingPoints.firstDayRead(today, Instant.parse("2026-01-01T12:00:00Z")));
    }
}
