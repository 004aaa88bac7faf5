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
import java.util.concurrent.CompletableFuture;

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
    dev.loyalty.functions.redeem.SpendService spend;

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
    void twoSweepsAtOnceExpireEachLotOnce() {
        sweep.run(1000, 60_000);
        List<String> members = membersWithExpiredPoints(9);
        // Threads made here inherit the test's class loader; the common pool's do not, and Mutiny's
        // context propagation then fails to load its extension ("not a subtype").
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        CompletableFuture<ExpireSweep.Report> a = CompletableFuture.supplyAsync(() -> sweep.run(2, 60_000), two);
        CompletableFuture<ExpireSweep.Report> b = CompletableFuture.supplyAsync(() -> sweep.run(2, 60_000), two);
        long touched = a.join().membersTouched() + b.join().membersTouched();
        two.shutdown();
        ExpireSweep.Report rest = sweep.run(1000, 60_000); // anything skipped while locked
        assertEquals(9, touched + rest.membersTouched());
        for (String m : members) {
            assertEquals(1, expireEntries(m));
            assertEquals(7, balance(m));
        }
    }
}
