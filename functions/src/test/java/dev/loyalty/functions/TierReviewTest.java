package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.tiers.TierReview;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daily tier-review over 100,000 members seeded with set-based SQL: 75,000 GOLD members whose
 * grace ended (qualifying points give SILVER) and 25,000 SILVER members not due. A run cut short
 * after a few chunks leaves its pass unfinished; two runs at once finish it from the checkpoint
 * (the members one skipped while the other held them go on the retry list, and one more run
 * retries them and finishes); every due member changes exactly once, and a further run changes
 * nothing. A member busy during a pass is retried once its lock is gone, and the pass finishes.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class TierReviewTest extends LedgerTestSupport {
    static final int MEMBERS = 100_000;
    static final int DUE = 75_000;
    static final int CHUNK = 1_000;

    @Inject
    Db db;
    @Inject
    TierSets tierSets;
    @Inject
    TierReview review;

    @AfterEach
    void defaultTiersAgain() {
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.DEFAULT, Instant.now());
    }

    /** A pass under {@code version}, unfinished, that has reached {@code after}: the next run starts there. */
    static Object startPassAt(dev.loyalty.functions.store.Tx tx, String after, long version) {
        tx.query("INSERT INTO tier_review_checkpoints(name, run_as_of, after_member, finished, pass_version)"
                + " VALUES ('tier-review', now(), $1, false, $2) ON CONFLICT (name) DO UPDATE SET after_member = $1,"
                + " finished = false, pass_version = $2, pass_skipped = false, traversed = false, version_done = NULL",
                after, version);
        return null;
    }

    /** {@code n} accounts, {@code prefix} and 0001, 0002, ..., created 400 days before {@code t0}. */
    static void accounts(dev.loyalty.functions.store.Tx tx, String prefix, int n, Instant t0) {
        tx.query("INSERT INTO accounts(member_id, balance, version, created_at, updated_at)"
                + " SELECT $1 || lpad(i::text, 4, '0'), 0, 0, $2, $2 FROM generate_series(1, $3) i", prefix,
                t0.minus(Duration.ofDays(400)), n);
    }

    /**
     * One PURCHASE day row for each of those accounts, {@code daysBack} days before {@code t0}'s
     * UTC day, of {@code points} (an SQL expression of the member's number {@code i}).
     */
    static void purchaseDays(dev.loyalty.functions.store.Tx tx, String prefix, int n, Instant t0, int daysBack, String points) {
        tx.query("INSERT INTO qualifying_days(member_id, day, point_type, points)"
                + " SELECT $1 || lpad(i::text, 4, '0'), ($2::timestamptz AT TIME ZONE 'UTC')::date - $3::int, 'PURCHASE', " + points
                + " FROM generate_series(1, $4::int) i", prefix, t0, daysBack, n);
    }

    long count(String sql, String prefix) {
        return db.read(tx -> tx.query(sql, prefix + "%").iterator().next().getLong(0));
    }

    long count(String sql) {
        return db.read(tx -> tx.query(sql).iterator().next().getLong(0));
    }

    @Test
    void theReviewOverAHundredThousandMembersIsBoundedResumableIdempotentAndSafeTwiceAtOnce() throws Exception {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long version = tierSets.asOf(t0).version();
        String prefix = "tr-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Instant below = t0.minus(Duration.ofDays(40));
        db.inTransaction(tx -> {
            tx.query("INSERT INTO accounts(member_id, balance, version, created_at, updated_at)"
                    + " SELECT $1 || lpad(i::text, 6, '0'), 0, 0, $2, $2 FROM generate_series(1, $3) i", prefix,
                    t0.minus(Duration.ofDays(400)), MEMBERS);
            tx.query("INSERT INTO qualifying_days(member_id, day, point_type, points)"
                    + " SELECT $1 || lpad(i::text, 6, '0'), ($2::timestamptz AT TIME ZONE 'UTC')::date - 100, 'PURCHASE', 2000"
                    + " FROM generate_series(1, $3) i", prefix, t0, MEMBERS);
            // Every fourth member SILVER and not due; the rest GOLD, below since 40 days (grace 30): due.
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at)"
                    + " SELECT $1 || lpad(i::text, 6, '0'), CASE WHEN i % 4 = 0 THEN 'SILVER' ELSE 'GOLD' END, $2,"
                    + " CASE WHEN i % 4 = 0 THEN NULL ELSE $3::timestamptz END, $4, $5,"
                    + " CASE WHEN i % 4 = 0 THEN $6::timestamptz ELSE $3::timestamptz + interval '30 days' END"
                    + " FROM generate_series(1, $7) i", prefix, t0.minus(Duration.ofDays(300)), below, t0.minusSeconds(86_400),
                    version, t0.plus(Duration.ofDays(200)), MEMBERS);
            return null;
        });
        String history = "SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1";
        String events = "SELECT count(*) FROM outbox WHERE member_id LIKE $1 AND type = 'tier.changed'";

        // Interrupted: three chunks, then the invocation stops (as when its time budget runs out).
        TierReview.Report cut = review.run(CHUNK, 600_000, 3);
        assertFalse(cut.finished(), cut.toString());
        assertEquals(3, cut.chunks());
        long afterCut = count(history, prefix);
        assertTrue(afterCut > 0 && afterCut <= 3L * CHUNK, "changed in the cut run: " + afterCut);

        // Two invocations at once resume from the checkpoint and finish the pass between them.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        TierReview.Report ra;
        TierReview.Report rb;
        try {
            var a = pool.submit(() -> review.run(CHUNK, 600_000, Integer.MAX_VALUE));
            var b = pool.submit(() -> review.run(CHUNK, 600_000, Integer.MAX_VALUE));
            ra = a.get();
            rb = b.get();
        } finally {
            pool.shutdown();
        }
        assertTrue(ra.resumedAfter().compareTo("") > 0 || rb.resumedAfter().compareTo("") > 0,
                "resumed after the cut run's last member: " + ra + " / " + rb);
        // Members one run skipped (the other held them, or had just rewritten them) are on the
        // retry list, each counted by a run that left it there; the pass does not start over.
        String retries = "SELECT count(*) FROM tier_review_retries WHERE pass_version = " + version;
        long listed = count(retries);
        assertTrue(listed <= ra.skipped() + rb.skipped(), listed + " listed: " + ra + " / " + rb);
        boolean traversed = db.read(tx -> tx.one("SELECT traversed AND NOT finished AS t FROM tier_review_checkpoints"
                + " WHERE name = 'tier-review'", r -> r.getBoolean("t")).orElseThrow());
        // One more run finishes: it retries the list (and, if one of the two finished the pass
        // meanwhile, starts the next pass; nothing of this version is due any more).
        TierReview.Report last = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        assertTrue(last.finished(), last + " after " + ra + " / " + rb);
        assertEquals(listed, last.retried(), last.toString());
        if (traversed) {
            // Straight to the retries: only listed members reviewed, no traversal.
            assertTrue(last.membersReviewed() <= listed, last.toString());
        }
        assertEquals(0, count(retries), "the retry list is empty once the pass is finished");
        assertEquals(Long.valueOf(version), db.read(tx -> tx.one("SELECT version_done FROM tier_review_checkpoints"
                + " WHERE name = 'tier-review'", r -> r.getLong(0)).orElseThrow()), "version_done");
        assertEquals(DUE, count(history, prefix), "every due member changed once");
        assertEquals(DUE, count(events, prefix), "one tier.changed per change");
        assertEquals(0, count("SELECT count(*) FROM (SELECT member_id FROM member_tier_history WHERE member_id LIKE $1"
                + " GROUP BY member_id HAVING count(*) > 1) x", prefix), "no member changed twice");
        assertEquals(DUE, count("SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier = 'SILVER'"
                + " AND below_since IS NULL AND review_at > now()", prefix) - MEMBERS / 4);
        assertEquals(List.of("GOLD>SILVER:GRACE_ENDED@" + below.plus(Duration.ofDays(30))),
                db.read(tx -> tx.list("SELECT from_tier || '>' || to_tier || ':' || reason AS h, at"
                        + " FROM member_tier_history WHERE member_id = $1",
                        r -> r.getString("h") + "@" + dev.loyalty.functions.store.Tx.instant(r, "at"), prefix + "000001")));

        // Once more: nothing is due, nothing changes.
        TierReview.Report again = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        assertTrue(again.finished(), again.toString());
        assertEquals(DUE, count(history, prefix));
        assertEquals(DUE, count(events, prefix));
        System.out.printf("TierReviewTest: %d members, %d changed; runs %s / %s / %s / %s / %s%n", MEMBERS, DUE, cut, ra, rb,
                last, again);
    }

    /**
     * A run whose chunks write nothing (a new version that leaves 3,000 members as they are)
     * saves its position when it stops (or after a second): cut after two chunks, the checkpoint
     * holds the second chunk's end, and the next run resumes there (not from the first member)
     * and finishes, having rewritten none of them.
     */
    @Test
    void aRunThatWritesNothingStillSavesWhereItStopped() {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long v1 = tierSets.asOf(t0).version();
        // "tz-": after the other tests' members, so the 100,000-member test's first chunks never meet these.
        String prefix = "tz-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        db.inTransaction(tx -> {
            accounts(tx, prefix, 3000, t0);
            // MEMBER, evaluated a day ago under the version before with 950 qualifying points that
            // have left the window since (no day rows): the new version (SILVER at 900) must read
            // them (950 is not below it), and leaves them exactly as they are.
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at,"
                    + " qualifying_points) SELECT $1 || lpad(i::text, 4, '0'), 'MEMBER', $2, NULL, $3, $4, NULL, 950"
                    + " FROM generate_series(1, 3000) i", prefix, t0.minus(Duration.ofDays(300)), t0.minusSeconds(86_400), v1);
            // Everything before this test's members is left behind: the pass starts at them.
            startPassAt(tx, prefix, v1 + 1);
            return null;
        });
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING.replace("\"threshold\":1000", "\"threshold\":900"),
                Instant.now());
        assertEquals(v1 + 1, tierSets.asOf(Instant.now()).version());

        TierReview.Report cut = review.run(CHUNK, 600_000, 2);
        assertFalse(cut.finished(), cut.toString());
        assertEquals(2, cut.chunks(), cut.toString());
        assertEquals(prefix, cut.resumedAfter(), cut.toString());
        assertEquals(2L * CHUNK, cut.membersReviewed(), cut.toString());
        String saved = db.read(tx -> tx.one("SELECT after_member FROM tier_review_checkpoints WHERE name = 'tier-review'",
                r -> r.getString(0)).orElseThrow());
        assertEquals(prefix + "2000", saved, "the second chunk's end");

        TierReview.Report rest = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        assertEquals(saved, rest.resumedAfter(), rest.toString());
        assertTrue(rest.membersReviewed() >= 1000, rest.toString()); // this test's third thousand, and what sorts after it
        assertEquals(3000, count("SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier_set_version = " + v1,
                prefix), "none rewritten");
        assertEquals(0, count("SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1", prefix));
    }

    /**
     * Members settled at the lowest tier ({@code TierDecision.settled}: MEMBER, nothing
     * due, qualifying points when evaluated below the new version's first threshold, under a
     * version that counts them alike) are not read under a new version. 1,000 members, all
     * MEMBER, evaluated a day ago: 700 with 100 points (settled under SILVER at 900), 100 with 950
     * then, 100 now (read: 950 is not below 900; left as they are), 200 written before V24 (no points: read, and rewritten once with
     * their points). The first chunk (these 1,000 tier rows) reads 300. A version that counts
     * other point types too reads all of them.
     */
    @Test
    void membersSettledAtTheLowestTierAreNotReadUnderAVersionThatCountsAlike() {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long v1 = tierSets.asOf(t0).version();
        String prefix = "tw-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        db.inTransaction(tx -> {
            accounts(tx, prefix, 1000, t0);
            purchaseDays(tx, prefix, 1000, t0, 10, "CASE WHEN i % 10 < 7 THEN 100 WHEN i % 10 < 9 THEN 200 ELSE 100 END");
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at,"
                    + " qualifying_points) SELECT $1 || lpad(i::text, 4, '0'), 'MEMBER', $2, NULL, $3, $4, NULL,"
                    + " CASE WHEN i % 10 < 7 THEN 100 WHEN i % 10 < 9 THEN NULL ELSE 950 END FROM generate_series(1, 1000) i",
                    prefix, t0.minus(Duration.ofDays(300)), t0.minusSeconds(86_400), v1);
            startPassAt(tx, prefix, v1 + 1);
            return null;
        });
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING.replace("\"threshold\":1000", "\"threshold\":900"),
                Instant.now());
        long v2 = tierSets.asOf(Instant.now()).version();
        assertEquals(v1 + 1, v2);
        TierReview.Report first = review.run(CHUNK, 600_000, 1);
        assertEquals(1, first.chunks(), first.toString());
        assertEquals(300, first.membersReviewed(), "the 700 settled ones are not read: " + first);
        assertEquals(0, first.membersChanged(), first.toString());
        String byPoints = "SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier_set_version = ";
        assertEquals(200, count(byPoints + v2 + " AND qualifying_points = 200", prefix), "rewritten once, with their points");
        assertEquals(800, count(byPoints + v1, prefix), "the others left as they were");
        assertEquals(0, count("SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1", prefix));

        // Other point types count too: stored points say nothing about the new count, every row is read.
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING.replace("\"threshold\":1000", "\"threshold\":900")
                .replace("[\"PURCHASE\"]", "[\"PURCHASE\",\"BONUS\"]"), Instant.now());
        long v3 = tierSets.asOf(Instant.now()).version();
        db.inTransaction(tx -> startPassAt(tx, prefix, v3));
        TierReview.Report other = review.run(CHUNK, 600_000, 1);
        assertEquals(1000, other.membersReviewed(), other.toString());
        assertEquals(0, other.membersChanged(), other.toString());
    }

    /**
     * Settled above the lowest tier ({@code TierDecision.settled}): a version raising GOLD leaves
     * SILVER members whose stored points are below the new GOLD threshold as they are, unread;
     * GOLD members (their threshold changed) and a SILVER member in grace are read. 1,000 members
     * evaluated a day ago: 600 SILVER with 1,500 points (review instant in 200 days), 200 GOLD with
     * 6,000, 100 SILVER in grace (read), 100 MEMBER with 100. GOLD raised to 6,000 reads 300 (and
     * rewrites them: the GOLD ones get their review instant, the grace ends). Then SILVER moved to
     * 900 reads the 700 SILVER; the GOLD ones, now evaluated under a version with GOLD at 6,000 too,
     * are settled at the top; the MEMBER ones stay settled, asked against the version they were
     * evaluated under (the first).
     */
    @Test
    void membersSettledAboveTheLowestTierAreNotReadUnderAVersionKeepingTheirThreshold() {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long v1 = tierSets.asOf(t0).version();
        String prefix = "tx-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        db.inTransaction(tx -> {
            accounts(tx, prefix, 1000, t0);
            String points = "CASE WHEN i % 10 < 6 THEN 1500 WHEN i % 10 < 8 THEN 6000 WHEN i % 10 = 8 THEN 1500 ELSE 100 END";
            purchaseDays(tx, prefix, 1000, t0, 100, points);
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, below_reason, evaluated_at, tier_set_version,"
                    + " review_at, qualifying_points) SELECT $1 || lpad(i::text, 4, '0'),"
                    + " CASE WHEN i % 10 < 6 THEN 'SILVER' WHEN i % 10 < 8 THEN 'GOLD' WHEN i % 10 = 8 THEN 'SILVER' ELSE 'MEMBER' END,"
                    + " $2, CASE WHEN i % 10 = 8 THEN $3::timestamptz END, CASE WHEN i % 10 = 8 THEN 'RETURN' END, $3, $4,"
                    + " CASE WHEN i % 10 < 9 THEN $5::timestamptz END, " + points + " FROM generate_series(1, 1000) i",
                    prefix, t0.minus(Duration.ofDays(300)), t0.minusSeconds(86_400), v1, t0.plus(Duration.ofDays(200)));
            startPassAt(tx, prefix, v1 + 1);
            return null;
        });
        String goldRaised = MemberTiersTest.ROLLING.replace("\"threshold\":5000", "\"threshold\":6000");
        MemberTiersTestSupport.publish(tierSets, goldRaised, Instant.now());
        long v2 = tierSets.asOf(Instant.now()).version();
        assertEquals(v1 + 1, v2);
        TierReview.Report first = review.run(CHUNK, 600_000, 1);
        assertEquals(1, first.chunks(), first.toString());
        assertEquals(300, first.membersReviewed(), "GOLD and the SILVER in grace read, the settled SILVER and MEMBER not: " + first);
        assertEquals(0, first.membersChanged(), first.toString());
        assertEquals(700, count("SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier_set_version = " + v1
                + " AND tier IN ('SILVER', 'MEMBER') AND below_since IS NULL", prefix), "the settled ones left as they were");

        // As if that run had been an hour ago (a row evaluated within IN_FLIGHT of a version's
        // start is always read).
        db.inTransaction(tx -> tx.query("UPDATE member_tiers SET evaluated_at = evaluated_at - interval '1 hour'"
                + " WHERE member_id LIKE $1 AND tier_set_version = $2", prefix + "%", v2));
        MemberTiersTestSupport.publish(tierSets, goldRaised.replace("\"threshold\":1000", "\"threshold\":900"), Instant.now());
        long v3 = tierSets.asOf(Instant.now()).version();
        db.inTransaction(tx -> startPassAt(tx, prefix, v3));
        TierReview.Report silverMoved = review.run(CHUNK, 600_000, 1);
        assertEquals(700, silverMoved.membersReviewed(), silverMoved.toString());
        assertEquals(200, count("SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier = 'GOLD' AND tier_set_version = "
                + v2, prefix), "GOLD settled at the top");
        assertEquals(0, silverMoved.membersChanged(), silverMoved.toString());
        assertEquals(0, count("SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1", prefix));
    }

    /**
     * The edges of the settled lookup in the due filter. 300 members evaluated a day ago: 100
     * GOLD written before V24 (no stored points: read, never settled, even at the top), 100 GOLD
     * with 6,000 points (settled at the top), 100 SILVER evaluated under a version the review does
     * not know (no bound: read). A version changing only GOLD's multiplier reads 200 (and rewrites
     * them with their review instant, under that version); then one without GOLD reads every GOLD
     * member (its tier gone: no bound) and moves them to SILVER (CONFIG_CHANGED), while the SILVER
     * ones, now evaluated under a known version with SILVER at the same threshold, are settled at
     * the new top.
     */
    @Test
    void theSettledLookupReadsRowsWithoutPointsUnknownVersionsAndTiersTheVersionDropped() {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long v1 = tierSets.asOf(t0).version();
        String prefix = "ty-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        db.inTransaction(tx -> {
            accounts(tx, prefix, 300, t0);
            purchaseDays(tx, prefix, 300, t0, 100, "CASE WHEN i <= 200 THEN 6000 ELSE 1500 END");
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at,"
                    + " qualifying_points) SELECT $1 || lpad(i::text, 4, '0'), CASE WHEN i <= 200 THEN 'GOLD' ELSE 'SILVER' END,"
                    + " $2, NULL, $3, CASE WHEN i <= 200 THEN $4 ELSE 999999 END, $5,"
                    + " CASE WHEN i <= 100 THEN NULL WHEN i <= 200 THEN 6000 ELSE 1500 END FROM generate_series(1, 300) i",
                    prefix, t0.minus(Duration.ofDays(300)), t0.minusSeconds(86_400), v1, t0.plus(Duration.ofDays(200)));
            startPassAt(tx, prefix, v1 + 1);
            return null;
        });
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING.replace("15000", "16000"), Instant.now());
        long v2 = tierSets.asOf(Instant.now()).version();
        assertEquals(v1 + 1, v2);
        TierReview.Report multiplier = review.run(CHUNK, 600_000, 1);
        assertEquals(200, multiplier.membersReviewed(), "no points, or an unknown version: read; " + multiplier);
        assertEquals(0, multiplier.membersChanged(), multiplier.toString());
        assertEquals(100, count("SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier = 'GOLD'"
                + " AND tier_set_version = " + v1 + " AND qualifying_points = 6000", prefix), "settled at the top, left as it was");

        db.inTransaction(tx -> tx.query("UPDATE member_tiers SET evaluated_at = evaluated_at - interval '1 hour'"
                + " WHERE member_id LIKE $1 AND tier_set_version = $2", prefix + "%", v2));
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING.replaceAll(
                ",\\s*\\{\"name\":\"GOLD\"[^}]*}", ""), Instant.now());
        long v3 = tierSets.asOf(Instant.now()).version();
        assertEquals(2, tierSets.asOf(Instant.now()).tierSet().tiers().size(), "GOLD dropped");
        db.inTransaction(tx -> startPassAt(tx, prefix, v3));
        TierReview.Report dropped = review.run(CHUNK, 600_000, 1);
        assertEquals(100, count("SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier = 'SILVER'"
                + " AND tier_set_version = " + v2, prefix), "the unknown version's rows, rewritten under the multiplier's");
        assertEquals(200, dropped.membersReviewed(), dropped.toString());
        assertEquals(200, dropped.membersChanged(), dropped.toString());
        assertEquals(200, count("SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1"
                + " AND from_tier = 'GOLD' AND to_tier = 'SILVER' AND reason = 'CONFIG_CHANGED'", prefix));
    }

    /**
     * The review reads every version to know which count points alike; a version that no longer
     * parses (here a point type the catalog does not have) is left out of that, not a failure.
     */
    @Test
    void aVersionThatNoLongerParsesDoesNotStopTheReview() {
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        Db owner = PostgresResource.owner();
        long bad = owner.read(tx -> tx.one("SELECT max(version) + 1 FROM tier_sets", r -> r.getLong(0)).orElseThrow());
        owner.inTransaction(tx -> tx.query("INSERT INTO tier_sets(version, effective_from, document, published_at, published_by)"
                + " VALUES ($1, '2000-01-02T00:00:00Z', $2::jsonb, now(), 'test')", bad,
                "{\"qualifying\":{\"window\":\"ROLLING_12_MONTHS\",\"pointTypes\":[\"GONE\"]},"
                        + "\"tiers\":[{\"name\":\"MEMBER\",\"threshold\":0}],\"downgrade\":{\"graceDays\":0}}"));
        try {
            TierReview.Report r = review.run(CHUNK, 600_000, 1);
            assertTrue(r.tierSetVersion() > 0, r.toString());
        } finally {
            owner.inTransaction(tx -> tx.query("DELETE FROM tier_sets WHERE version = $1", bad));
        }
    }

    /**
     * A new tier set version: the review rewrites only the members it changes. 1,000 members:
     * the odd ones SILVER with 2,000 qualifying points (the new version keeps them SILVER, same
     * review instant: not rewritten, their rows keep the old version), the even ones MEMBER with
     * 200 (the new version's SILVER threshold of 150 upgrades them: CONFIG_CHANGED). Once the
     * pass has finished clean, a second run reviews nothing; reads show the same tiers.
     */
    @Test
    void aNewTierSetVersionRewritesOnlyTheMembersItChanges() throws Exception {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long v1 = tierSets.asOf(t0).version();
        String prefix = "tv-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        db.inTransaction(tx -> {
            accounts(tx, prefix, 1000, t0);
            purchaseDays(tx, prefix, 1000, t0, 100, "CASE WHEN i % 2 = 1 THEN 2000 ELSE 200 END");
            // SILVER's 2,000 leave the window a year after their day: the review instant the core gives.
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at,"
                    + " qualifying_points)"
                    + " SELECT $1 || lpad(i::text, 4, '0'), CASE WHEN i % 2 = 1 THEN 'SILVER' ELSE 'MEMBER' END, $2, NULL, $3, $4,"
                    + " CASE WHEN i % 2 = 1 THEN ((($5::timestamptz AT TIME ZONE 'UTC')::date - 100 + interval '1 year')::date"
                    + "   AT TIME ZONE 'UTC') END, CASE WHEN i % 2 = 1 THEN 2000 ELSE 200 END"
                    + " FROM generate_series(1, 1000) i", prefix, t0.minus(Duration.ofDays(300)), t0.minusSeconds(86_400),
                    v1, t0);
            return null;
        });
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING.replace("\"threshold\":1000", "\"threshold\":150"),
                Instant.now());
        long v2 = tierSets.asOf(Instant.now()).version();
        TierReview.Report last = null;
        for (int i = 0; i < 5 && (last == null || !last.finished()); i++) {
            last = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        }
        assertTrue(last.finished(), last.toString());
        String byVersion = "SELECT count(*) FROM member_tiers WHERE member_id LIKE $1 AND tier_set_version = ";
        assertEquals(500, count(byVersion + v1 + " AND tier = 'SILVER'", prefix), "the odd ones: not rewritten");
        assertEquals(500, count(byVersion + v2 + " AND tier = 'SILVER'", prefix), "the even ones: upgraded");
        assertEquals(500, count("SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1 AND reason = 'CONFIG_CHANGED'"
                + " AND from_tier = 'MEMBER' AND to_tier = 'SILVER'", prefix));
        assertEquals(500, count("SELECT count(*) FROM outbox WHERE member_id LIKE $1 AND type = 'tier.changed'", prefix));

        TierReview.Report again = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        assertTrue(again.finished(), again.toString());
        assertEquals(0, again.membersReviewed(), again.toString());
        assertEquals(500, count(byVersion + v1, prefix));
        assertEquals(500, count("SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1", prefix));
        JsonNode odd = MemberTiersTest.tier(prefix + "0001");
        assertEquals("SILVER", odd.get("name").asText(), odd.toString());
        assertEquals(2000, odd.get("qualifyingPoints").asLong());
        assertEquals("SILVER", MemberTiersTest.tier(prefix + "0002").get("name").asText());
    }

    /**
     * A member busy during the pass (its account row held FOR UPDATE by a transaction that stays
     * open, as a write in progress) is skipped and goes on the retry list; the run's retry of it
     * skips it again: the pass is traversed but not finished, version_done not set. Once the lock
     * is gone the next run goes straight to the list, reviews that member only, finishes the pass
     * (version_done) and empties the list; a further run changes nothing.
     */
    @Test
    void aMemberBusyDuringThePassIsRetriedAndThePassStillFinishes() throws Exception {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        long v = tierSets.asOf(t0).version();
        // "zzzzz-": after every other test's members (tr-, tv-, tz-, m-, QualifyingRebuildTest's zzzz-r),
        // so the pass started at them meets only them.
        String prefix = "zzzzz-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int members = 5;
        Instant below = t0.minus(Duration.ofDays(40));
        db.inTransaction(tx -> {
            tx.query("INSERT INTO accounts(member_id, balance, version, created_at, updated_at)"
                    + " SELECT $1 || i, 0, 0, $2, $2 FROM generate_series(1, $3) i", prefix, t0.minus(Duration.ofDays(400)),
                    members);
            tx.query("INSERT INTO qualifying_days(member_id, day, point_type, points)"
                    + " SELECT $1 || i, ($2::timestamptz AT TIME ZONE 'UTC')::date - 100, 'PURCHASE', 2000"
                    + " FROM generate_series(1, $3) i", prefix, t0, members);
            // GOLD, below since 40 days (grace 30): due, and the review drops each to SILVER.
            tx.query("INSERT INTO member_tiers(member_id, tier, since, below_since, evaluated_at, tier_set_version, review_at)"
                    + " SELECT $1 || i, 'GOLD', $2, $3, $4, $5, $3::timestamptz + interval '30 days'"
                    + " FROM generate_series(1, $6) i", prefix, t0.minus(Duration.ofDays(300)), below, t0.minusSeconds(86_400),
                    v, members);
            // A pass under this version that has reached these members; no pass under it finished yet.
            startPassAt(tx, prefix, v);
            return null;
        });
        String busy = prefix + "3";
        String history = "SELECT count(*) FROM member_tier_history WHERE member_id LIKE $1";
        String events = "SELECT count(*) FROM outbox WHERE member_id LIKE $1 AND type = 'tier.changed'";
        String listed = "SELECT member_id FROM tier_review_retries WHERE pass_version = " + v + " ORDER BY member_id";
        String checkpoint = "SELECT finished::text || ' ' || traversed::text || ' ' || COALESCE(version_done::text, '-')"
                + " || ' [' || after_member || ']' FROM tier_review_checkpoints WHERE name = 'tier-review'";

        TierReview.Report held;
        try (java.sql.Connection write = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + PostgresResource.server().getPort() + "/postgres", "postgres", "postgres")) {
            write.setAutoCommit(false);
            try (var lock = write.prepareStatement("SELECT member_id FROM accounts WHERE member_id = ? FOR UPDATE")) {
                lock.setString(1, busy);
                try (var r = lock.executeQuery()) {
                    assertTrue(r.next(), "the busy member's account row is locked");
                }
            }
            held = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
            assertEquals(prefix, held.resumedAfter(), held.toString());
            assertEquals(1, held.skipped(), held.toString());
            assertEquals(1, held.retried(), "retried in the same run, still busy: " + held);
            assertFalse(held.finished(), held.toString());
            assertEquals(members - 1, count(history, prefix), "the others changed");
            assertEquals(0, count(history, busy));
            assertEquals(List.of(busy), db.read(tx -> tx.list(listed, r -> r.getString(0))));
            assertEquals("false true - [" + prefix + members + "]", db.read(tx -> tx.one(checkpoint, r -> r.getString(0)).orElseThrow()),
                    "traversed, not finished, no version_done");
            write.rollback();
        }

        // The lock is gone: straight to the retries, the one member reviewed, the pass finished.
        TierReview.Report retried = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        assertTrue(retried.finished(), retried.toString());
        assertEquals(1, retried.retried(), retried.toString());
        assertEquals(1, retried.membersReviewed(), retried.toString());
        assertEquals(1, retried.membersChanged(), retried.toString());
        assertEquals(0, retried.skipped(), retried.toString());
        assertEquals(1, retried.chunks(), "no traversal: " + retried);
        assertEquals(List.of(), db.read(tx -> tx.list(listed, r -> r.getString(0))));
        assertEquals("true false " + v + " []", db.read(tx -> tx.one(checkpoint, r -> r.getString(0)).orElseThrow()));
        assertEquals(members, count(history, prefix), "every member changed once");
        assertEquals(members, count(events, prefix));
        assertEquals(List.of("GOLD>SILVER:GRACE_ENDED@" + below.plus(Duration.ofDays(30))),
                db.read(tx -> tx.list("SELECT from_tier || '>' || to_tier || ':' || reason AS h, at"
                        + " FROM member_tier_history WHERE member_id = $1",
                        r -> r.getString("h") + "@" + dev.loyalty.functions.store.Tx.instant(r, "at"), busy)));

        // Once more: a new pass under the same version, nothing of these members due, nothing retried.
        TierReview.Report again = review.run(CHUNK, 600_000, Integer.MAX_VALUE);
        assertTrue(again.finished(), again.toString());
        assertEquals(0, again.skipped(), again.toString());
        assertEquals(0, again.retried(), again.toString());
        assertEquals(members, count(history, prefix));
        assertEquals(members, count(events, prefix));
        assertEquals(List.of(), db.read(tx -> tx.list(listed, r -> r.getString(0))));
    }
}
