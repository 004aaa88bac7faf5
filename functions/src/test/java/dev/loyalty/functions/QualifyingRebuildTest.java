package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.tiers.QualifyingRebuild;
import dev.loyalty.functions.tiers.TierReview;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The qualifying rebuild on real PostgreSQL: members whose earns were recorded before V15 (their
 * qualifying days and tier record removed as the owner, as they were then) get the rows their
 * ledger gives, net of reversals, and the tier those give, recorded once; a member whose rows
 * already agree is not written. Each test queues the rebuild from just before its own members
 * ("zzzz-r", near the end of the member order), so it rebuilds only members of tests that sort
 * after them (TierReviewTest's "zzzzz-"), whose tests are over or not begun.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class QualifyingRebuildTest extends LedgerTestSupport {
    @Inject
    Db db;
    @Inject
    TierSets tierSets;
    @Inject
    EarnService earn;
    @Inject
    SpendService spend;
    @Inject
    TierReview review;
    @Inject
    QualifyingRebuild rebuild;

    @AfterEach
    void defaultTiersAgain() {
        TestClock.release();
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.DEFAULT, Instant.now());
    }

    static void owner(String statement, Object... args) {
        PostgresResource.owner().inTransaction(tx -> tx.query(statement, args));
    }

    UUID earn(String member, long points, String type, String reference, Instant occurredAt) {
        EarnResult r = earn.earn(new EarnCommand(member, points, type, reference, occurredAt, null));
        return assertInstanceOf(EarnResult.Applied.class, r, r.toString()).receipt().transactionId();
    }

    /** The members' non-zero qualifying rows: member -> "day type" -> points. */
    Map<String, Map<String, Long>> rows(String prefix) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        db.read(tx -> tx.list("SELECT member_id, day::text AS d, point_type, points FROM qualifying_days"
                + " WHERE member_id LIKE $1 AND points <> 0", r -> out.computeIfAbsent(r.getString("member_id"),
                m -> new TreeMap<>()).put(r.getString("d") + " " + r.getString("point_type"), r.getLong("points")),
                prefix + "%"));
        return out;
    }

    List<String> tierEvents(String member) {
        return MemberTiersTestSupport.tierEvents(db, member);
    }

    /** What V23 does when the ledger holds earns, from just before {@code after}'s members. */
    static void queueRebuild(String after) {
        owner("INSERT INTO tier_review_checkpoints(name, run_as_of, after_member, finished) VALUES ('qualifying-rebuild', now(), $1, false)"
                + " ON CONFLICT (name) DO UPDATE SET after_member = $1, finished = false", after);
    }

    /** Removes what V15 and later keep for the member, as if its writes predated them. */
    static void beforeV15(String member) {
        owner("DELETE FROM qualifying_days WHERE member_id = $1", member);
        owner("DELETE FROM member_tier_history WHERE member_id = $1", member);
        owner("DELETE FROM member_tiers WHERE member_id = $1", member);
        owner("DELETE FROM outbox WHERE member_id = $1 AND type = 'tier.changed'", member);
    }

    @Test
    void earnsRecordedBeforeQualifyingDaysWereKeptCountOnceTheRebuildHasRun() {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        String prefix = "zzzz-rb-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String old = prefix + "a";
        String kept = prefix + "b";
        String excess = prefix + "c";
        TestClock.pin(t0.plusSeconds(10));
        // 3,000 back-dated 100 days, 2,600 back-dated 20 days less 600 reversed, 700 BONUS (kept, does not qualify): 5,000.
        earn(old, 3_000, "PURCHASE", "o1", t0.minus(Duration.ofDays(100)));
        UUID second = earn(old, 2_600, "PURCHASE", "o2", t0.minus(Duration.ofDays(20)));
        assertInstanceOf(SpendResult.Done.class, spend.reverse(new MemberId(old), new ReversalCommand(second, 600L, "o3", "return")));
        earn(old, 700, "BONUS", "o4", null);
        earn(kept, 1_200, "PURCHASE", "k1", null);
        earn(excess, 1_500, "PURCHASE", "c1", null);
        Map<String, Map<String, Long>> truth = rows(prefix);
        assertEquals(3, truth.size(), truth.toString());
        assertEquals(3, truth.get(old).size(), truth.toString());
        assertEquals(5_000, MemberTiersTest.tier(old).get("qualifyingPoints").asLong());

        beforeV15(old);
        // A row no earn accounts for (300 more than the ledger gives).
        owner("UPDATE qualifying_days SET points = points + 300 WHERE member_id = $1", excess);
        JsonNode wrong = MemberTiersTest.tier(old);
        assertEquals("MEMBER", wrong.get("name").asText(), wrong.toString());
        assertEquals(0, wrong.get("qualifyingPoints").asLong());
        List<String> keptEvents = tierEvents(kept);
        assertEquals(List.of("MEMBER>SILVER:QUALIFIED"), keptEvents);

        queueRebuild(prefix);
        Instant rebuiltAt = t0.plusSeconds(60);
        TestClock.pin(rebuiltAt);
        // The tier-review runs the rebuild first (one chunk and the end), then one chunk of its review.
        TierReview.Report report = review.run(1_000, 60_000, 1);
        QualifyingRebuild.Report r = report.qualifyingRebuild();
        assertNotNull(r, report.toString());
        // Members of other tests that sort after these are read too (this class's other test's,
        // whose rows agree; TierReviewTest's last one seeds rows with no ledger, which get
        // corrected): at least these three, of which two corrected and one upgraded.
        assertTrue(r.membersRead() >= 3, r.toString());
        assertTrue(r.membersCorrected() >= 2, r.toString());
        assertTrue(r.tierChanges() >= 1, r.toString());
        assertTrue(r.finished(), r.toString());
        assertEquals(truth, rows(prefix));
        JsonNode gold = MemberTiersTest.tier(old);
        assertEquals("GOLD", gold.get("name").asText(), gold.toString());
        assertEquals(5_000, gold.get("qualifyingPoints").asLong());
        assertEquals(rebuiltAt.toString(), gold.get("since").asText());
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED"), tierEvents(old));
        assertEquals(1_500, MemberTiersTest.tier(excess).get("qualifyingPoints").asLong());
        assertEquals(keptEvents, tierEvents(kept), "a member whose rows agree is not written");

        // Done: the next run has no rebuild to do.
        assertTrue(rebuild.pending().isEmpty());
        assertNull(review.run(1_000, 60_000, 1).qualifyingRebuild());
        assertEquals(truth, rows(prefix));
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED"), tierEvents(old));
    }

    @Test
    void twoRebuildsAtOnceCorrectEachMemberOnce() throws Exception {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        String prefix = "zzzz-rw-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        TestClock.pin(t0.plusSeconds(10));
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String m = prefix + String.format("%02d", i);
            members.add(m);
            earn(m, 1_000 + i, "PURCHASE", "w" + i, t0.minus(Duration.ofDays(i)));
        }
        Map<String, Map<String, Long>> truth = rows(prefix);
        assertEquals(20, truth.size());
        members.forEach(QualifyingRebuildTest::beforeV15);
        queueRebuild(prefix);
        TestClock.pin(t0.plusSeconds(60));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<QualifyingRebuild.Report>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return rebuild.run(prefix, 3, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                }));
            }
            go.countDown();
            long corrected = 0;
            long changes = 0;
            for (Future<QualifyingRebuild.Report> f : runs) {
                QualifyingRebuild.Report r = f.get(60, TimeUnit.SECONDS);
                assertTrue(r.finished(), r.toString());
                corrected += r.membersCorrected();
                changes += r.tierChanges();
            }
            // Members of other tests that sort after these may be corrected too (at least these 20);
            // that each of these was corrected by one run only is in its events below.
            assertTrue(corrected >= 20, "corrected " + corrected);
            assertTrue(changes >= 20, "changes " + changes);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(truth, rows(prefix));
        for (String m : members) {
            assertEquals(List.of("MEMBER>SILVER:QUALIFIED"), tierEvents(m), m);
        }
        assertTrue(rebuild.pending().isEmpty());
    }
}
