package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.schedule.ExpireSweep;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep through its handler (chunks of 3 members), resumption, and two sweeps at once. */
@QuarkusTest
@TestProfile(FunctionProfile.ExpireSweepJob.class)
class ExpireSweepTest extends SpendingSupport {
    @Inject
    ExpireSweep sweep;
    @Inject
    dev.loyalty.functions.spend.SpendService spend;

    List<String> membersWithExpiredPoints(int n) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String m = newMember();
            seed(m, 10, "SIGN_IN", Instant.now().minus(40, ChronoUnit.DAYS));
            seed(m, 5, "PROMO", Instant.now().minus(100, ChronoUnit.DAYS));
            seed(m, 7, "PURCHASE", null);
            members.add(m);
        }
        return members;
    }

    long expireEntries(String member) {
        return db.read(tx -> tx.query("SELECT count(*) FROM ledger_entries WHERE member_id = $1 AND kind = 'EXPIRE'", member)
                .iterator().next().getLong(0));
    }

    @Inject
    dev.loyalty.functions.store.LedgerStore store;

    /**
     * The sweep's set-based SQL is the core's expiry rule, not a second one: on the same stored
     * lots (two of them tied on expiry and earnedAt, so the lot-id order decides), the EXPIRE
     * entry it writes equals what {@code SpendRules.expire} decides, field by field and
     * allocation by allocation, in order.
     */
    @Test
    void theSqlSweepWritesExactlyWhatTheCoreRuleDecides() {
        sweep.run(1000, 60_000);
        String m = newMember();
        Instant old = Instant.now().minus(40, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
        for (int i = 0; i < 4; i++) {
            seed(m, 10 + i, "SIGN_IN", old); // same earnedAt and expiry: tied but for the lot id
        }
        seed(m, 5, "PROMO", Instant.now().minus(100, ChronoUnit.DAYS));
        seed(m, 7, "PURCHASE", null);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var member = new dev.loyalty.core.MemberId(m);
        var decided = db.read(tx -> {
            var read = store.snapshot(tx, member);
            tx.flush();
            var snapshot = read.get().orElseThrow();
            return dev.loyalty.core.spend.SpendRules.expire(new dev.loyalty.core.spend.MemberState(snapshot.account(),
                    snapshot.openLots(), snapshot.heldHolds()), now, java.util.UUID::randomUUID);
        });
        var expected = (dev.loyalty.core.spend.ExpireOutcome.Expired) decided;
        TestClock.pin(now);
        try {
            sweep.run(1000, 60_000);
        } finally {
            TestClock.release();
        }
        var written = db.read(tx -> tx.query("SELECT sequence, kind, points, balance_after, point_type, reference,"
                + " description, occurred_at, recorded_at, entry_id FROM ledger_entries WHERE member_id = $1 AND kind = 'EXPIRE'", m)
                .iterator().next());
        var e = expected.entry();
        assertEquals(e.sequence(), written.getLong("sequence"));
        assertEquals(e.kind().name(), written.getString("kind"));
        assertEquals(e.points(), written.getLong("points"));
        assertEquals(e.balanceAfter(), written.getLong("balance_after"));
        assertEquals(e.pointType(), written.getString("point_type"));
        assertEquals(e.reference(), written.getString("reference"));
        assertEquals(e.description(), written.getString("description"));
        assertEquals(e.occurredAt(), dev.loyalty.functions.store.Tx.instant(written, "occurred_at"));
        assertEquals(e.recordedAt(), dev.loyalty.functions.store.Tx.instant(written, "recorded_at"));
        java.util.UUID entryId = written.getUUID("entry_id");
        var allocations = db.read(tx -> tx.list("SELECT lot_id, points FROM entry_allocations WHERE member_id = $1"
                        + " AND entry_id = $2 ORDER BY position",
                r -> new dev.loyalty.core.spend.Allocation(r.getUUID("lot_id"), r.getLong("points")), m, entryId));
        assertEquals(expected.allocations(), allocations, "the same lots in the core's spending order");
        assertEquals(5, allocations.size());
        // Its event: the core's fields (DomainEvents.expiredData), the written entry's values.
        var event = db.read(tx -> tx.query("SELECT type, data::text AS data FROM outbox WHERE member_id = $1"
                + " ORDER BY sequence DESC LIMIT 1", m).iterator().next());
        assertEquals("points.expired", event.getString("type"));
        var data = new io.vertx.core.json.JsonObject(event.getString("data"));
        var core = dev.loyalty.core.events.DomainEvents.expiredData(new dev.loyalty.core.LedgerEntry(entryId, member,
                e.sequence(), e.kind(), e.points(), e.balanceAfter(), e.pointType(), e.reference(), e.description(),
                e.occurredAt(), e.recordedAt()));
        assertEquals(new java.util.TreeSet<>(core.keySet()), new java.util.TreeSet<>(data.fieldNames()));
        core.forEach((k, v) -> assertEquals(String.valueOf(v), String.valueOf(data.getValue(k)), k));
    }

    @Test
    void theScheduledEventSweepsInChunksAndReports() {
        // Drain whatever earlier tests left, so the figures below are this test's own.
        sweep.run(1000, 60_000);
        List<String> members = membersWithExpiredPoints(7);
        JsonNode report = Lambda.invoke(Lambda.sample("scheduled/expire-sweep.json"));
        assertTrue(report.get("finished").asBoolean(), report.toString());
        assertEquals(7, report.get("membersTouched").asLong());
        assertEquals(14, report.get("lotsExpired").asLong());
        assertEquals(70, report.at("/pointsExpiredByType/SIGN_IN").asLong());
        assertEquals(35, report.at("/pointsExpiredByType/PROMO").asLong());
        assertTrue(report.get("chunks").asInt() >= 3, "7 members in chunks of 3");
        for (String m : members) {
            assertEquals(7, balance(m), "only the unexpired PURCHASE lot remains");
            assertEquals(1, expireEntries(m), "one EXPIRE entry per member per run");
        }
        JsonNode again = Lambda.invoke(Lambda.sample("scheduled/expire-sweep.json"));
        assertEquals(0, again.get("lotsExpired").asLong(), "nothing is expired twice");
    }

    @Test
    void anInterruptedRunResumesAndExpiredHoldsAreReleased() throws Exception {
        sweep.run(1000, 60_000);
        List<String> members = membersWithExpiredPoints(4);
        String holder = members.get(0);
        // Through the service: this profile's handler is the sweep.
        spend.hold(new dev.loyalty.core.MemberId(holder), new dev.loyalty.core.spend.HoldCommand(5, "cart-1", 1L));
        Thread.sleep(1100);
        ExpireSweep.Report stopped = sweep.run(3, 0);
        assertFalse(stopped.finished(), "a zero budget stops before the first chunk");
        assertEquals(0, stopped.membersTouched());
        ExpireSweep.Report resumed = sweep.run(3, 60_000);
        assertTrue(resumed.finished());
        assertEquals(4, resumed.membersTouched());
        assertEquals(1, resumed.holdsReleased());
        assertEquals(0, activeHeld(holder));
    }

    @Test
    void twoSweepsAtOnceExpireEachLotOnce() throws Exception {
        sweep.run(1000, 60_000);
        List<String> members = membersWithExpiredPoints(9);
        // Two threads that carry the application's class loader, as a Lambda's runtime thread does
        // (the common ForkJoin pool's do not, and Mutiny's context propagation loads through it).
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        long touched;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r);
            t.setContextClassLoader(loader);
            return t;
        })) {
            var a = pool.submit(() -> sweep.run(2, 60_000));
            var b = pool.submit(() -> sweep.run(2, 60_000));
            touched = a.get().membersTouched() + b.get().membersTouched();
        }
        ExpireSweep.Report rest = sweep.run(1000, 60_000); // anything skipped while locked
        assertEquals(9, touched + rest.membersTouched());
        for (String m : members) {
            assertEquals(1, expireEntries(m));
            assertEquals(7, balance(m));
        }
    }
}
