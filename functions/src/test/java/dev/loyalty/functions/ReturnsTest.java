package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.returns.ReturnCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.functions.balance.BalanceQueries;
import dev.loyalty.functions.balance.BalanceView;
import dev.loyalty.functions.program.EventResult;
import dev.loyalty.functions.program.EventService;
import dev.loyalty.functions.reports.LiabilityReport;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.LedgerChecks;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Returns and pending points through the earn Lambda's handler on real PostgreSQL: the issue's
 * worked examples, exactly once by reference, the refusals, the balance's and the liability
 * report's new figures, a return racing a redeem, and the round trips of a return. Rules are
 * published at the real time (a version published under a pinned future clock would refuse
 * every later test's publication); the clock is pinned forward only to pass the return window.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class ReturnsTest extends SpendingSupport {
    static final String RULES = """
            {"rules":[{"id":"purchase-base","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,
                       "pendingDays":14}]}""";

    @Inject
    SpendService spend;
    @Inject
    EventService events;
    @Inject
    BalanceQueries balances;
    @Inject
    LiabilityReport liability;

    @AfterEach
    void releaseClock() {
        TestClock.release();
    }

    static JsonNode post(String member, String body, String key) {
        return Lambda.invoke(BusinessEventsTest.eventRequest(member, body, key));
    }

    static JsonNode post(String member, String body) {
        return post(member, body, UUID.randomUUID().toString());
    }

    static String returning(String reference, String original, Long amount) {
        return "{\"event\":\"return\",\"reference\":\"" + reference + "\",\"originalReference\":\"" + original + "\""
                + (amount == null ? "" : ",\"amount\":" + amount) + "}";
    }

    static JsonNode created(JsonNode r) {
        assertEquals(201, r.get("statusCode").asInt(), r.toString());
        return body(r);
    }

    BalanceView balance(String member, Instant now) {
        return balances.balance(new MemberId(member), now).orElseThrow();
    }

    @Test
    void aPendingPurchaseIsReturnedInPartsThenRefused() {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        String m = newMember();
        JsonNode bought = created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        assertEquals(100, bought.get("points").asLong());
        JsonNode lot = bought.get("awards").get(0).get("lot");
        Instant pendingUntil = Instant.parse(lot.get("pendingUntil").asText());
        assertEquals(Instant.now().truncatedTo(ChronoUnit.DAYS).plus(15, ChronoUnit.DAYS), pendingUntil,
                "the end of the 14th day after today (UTC)");
        BalanceView before = balance(m, Instant.now());
        assertEquals(100, before.balance());
        assertEquals(100, before.pending());
        assertEquals(0, before.available());
        assertInstanceOf(SpendResult.Refused.class, spend.redeem(new MemberId(m), new RedeemCommand(1, "r-1", null)),
                "pending points are never spent");

        String key = UUID.randomUUID().toString();
        JsonNode first = created(post(m, returning("ret-1", "order-1", 2_500L), key));
        assertEquals(-25, first.get("points").asLong());
        assertEquals(0, first.get("shortfall").asLong());
        assertEquals(75, first.get("balance").asLong());
        assertEquals(1, first.get("transactionIds").size());
        assertEquals(25, first.get("awards").get(0).get("fromOwnLot").asLong());
        assertEquals(75, balance(m, Instant.now()).pending());

        // The same request again: the first answer, by Idempotency-Key and by reference alike.
        JsonNode again = post(m, returning("ret-1", "order-1", 2_500L), key);
        assertEquals("true", ApiEvents.headers(again).get("idempotent-replayed"));
        assertEquals(first, created(again));
        JsonNode sameReference = post(m, returning("ret-1", "order-1", 2_500L));
        assertEquals("true", ApiEvents.headers(sameReference).get("idempotent-replayed"));
        assertEquals(first, created(sameReference));
        JsonNode different = post(m, returning("ret-1", "order-1", 2_000L));
        assertEquals(409, different.get("statusCode").asInt(), different.toString());
        assertEquals("REFERENCE_ALREADY_USED", body(different).get("code").asText());
        assertEquals(first.get("transactionIds").get(0).asText(), body(different).get("transactionId").asText());
        JsonNode purchaseReference = post(m, returning("order-1", "order-1", 1L));
        assertEquals(400, purchaseReference.get("statusCode").asInt(), purchaseReference.toString());

        JsonNode rest = created(post(m, returning("ret-2", "order-1", null)));
        assertEquals(-75, rest.get("points").asLong());
        assertEquals(7_500, rest.get("amount").asLong());
        assertEquals(0, rest.get("balance").asLong());

        JsonNode third = post(m, returning("ret-3", "order-1", null));
        assertEquals(422, third.get("statusCode").asInt(), third.toString());
        assertEquals("RETURN_EXCEEDS_PURCHASE", body(third).get("code").asText());
        assertEquals(0, body(third).get("returnable").asLong());

        JsonNode unknown = post(m, returning("ret-4", "order-404", null));
        assertEquals(404, unknown.get("statusCode").asInt(), unknown.toString());
        assertEquals("EVENT_NOT_FOUND", body(unknown).get("code").asText());
        String stranger = newMember();
        JsonNode unknownMember = post(stranger, returning("ret-1", "order-1", null));
        assertEquals(404, unknownMember.get("statusCode").asInt(), unknownMember.toString());
        assertEquals(0, count("SELECT count(*) FROM accounts WHERE member_id = $1", stranger), "no account is opened");
    }

    @Test
    void afterTheWindowSpentPointsComeFromOtherLotsAndTheRestIsAShortfall() {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        String m = newMember();
        created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        seed(m, 50, "BONUS", null); // never expires: spent last
        Instant later = Instant.now().plus(16, ChronoUnit.DAYS);
        TestClock.pin(later);
        BalanceView open = balance(m, later);
        assertEquals(0, open.pending());
        assertEquals(150, open.available());
        assertInstanceOf(SpendResult.Done.class, spend.redeem(new MemberId(m), new RedeemCommand(80, "spend-80", null)));
        LiabilityReport.Report reportBefore = liability.at(later, null);

        JsonNode all = created(post(m, returning("ret-1", "order-1", null)));
        JsonNode award = all.get("awards").get(0);
        assertEquals(20, award.get("fromOwnLot").asLong(), all.toString());
        assertEquals(50, award.get("fromOtherLots").asLong(), "all the member had left");
        assertEquals(30, all.get("shortfall").asLong());
        assertEquals(-70, all.get("points").asLong());
        assertEquals(0, all.get("balance").asLong());

        LiabilityReport.Report reportAfter = liability.at(later.plusSeconds(1), null);
        assertEquals(30, reportAfter.unrecovered() - reportBefore.unrecovered());
        assertEquals(70, reportAfter.returned() - reportBefore.returned());
        assertEquals(-70, reportAfter.outstanding() - reportBefore.outstanding());
        assertEquals(30, count("SELECT shortfall FROM returns WHERE member_id = $1", m));

        // The operator reverses the redeem: its 80 points go back to the purchase's lot. The award
        // can then be reversed by what the return did not take (100 - 70 = 30): that recovers the
        // shortfall, and `unrecovered` drops back.
        UUID redeem = entryId(m, "REDEEM", "spend-80");
        UUID earn = entryId(m, "EARN", "order-1");
        assertInstanceOf(SpendResult.Done.class, spend.reverse(new MemberId(m),
                new ReversalCommand(redeem, null, "undo-spend", "goodwill")));
        assertEquals(30, liability.at(later.plusSeconds(2), null).unrecovered() - reportBefore.unrecovered(),
                "points back in the balance recover nothing until the award is reversed");
        TestClock.pin(later.plusSeconds(10));
        assertInstanceOf(SpendResult.Done.class, spend.reverse(new MemberId(m),
                new ReversalCommand(earn, null, "claw-back", "returned purchase")));
        assertEquals(-30, count("SELECT points FROM ledger_entries WHERE member_id = $1 AND reference = 'claw-back'", m),
                "the reversal takes what the return left of the award");
        assertEquals(0, liability.at(later.plusSeconds(11), null).unrecovered() - reportBefore.unrecovered());
        assertEquals(30, liability.at(later.plusSeconds(5), null).unrecovered() - reportBefore.unrecovered(),
                "as of before the reversal, the shortfall is still missing");
    }

    UUID entryId(String member, String kind, String reference) {
        return PostgresResource.owner().read(tx -> tx.one("SELECT entry_id FROM ledger_entries WHERE member_id = $1"
                + " AND kind = $2 AND reference = $3", r -> r.getUUID("entry_id"), member, kind, reference)).orElseThrow();
    }

    @Test
    void afterTheWindowWhenTheBalanceAllowsTheSpentPartComesFromOtherLotsInFull() {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        String m = newMember();
        created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        seed(m, 200, "BONUS", null);
        Instant later = Instant.now().plus(16, ChronoUnit.DAYS);
        TestClock.pin(later);
        assertInstanceOf(SpendResult.Done.class, spend.redeem(new MemberId(m), new RedeemCommand(80, "spend-80", null)));
        JsonNode all = created(post(m, returning("ret-1", "order-1", null)));
        JsonNode award = all.get("awards").get(0);
        assertEquals(20, award.get("fromOwnLot").asLong());
        assertEquals(80, award.get("fromOtherLots").asLong());
        assertEquals(0, all.get("shortfall").asLong());
        assertEquals(-100, all.get("points").asLong());
        assertEquals(120, all.get("balance").asLong());
        assertEquals(1, all.get("transactionIds").size(), "one RETURN entry for the one award");
        assertEquals(2, count("SELECT count(*) FROM entry_allocations a JOIN ledger_entries e ON e.member_id = a.member_id"
                + " AND e.entry_id = a.entry_id WHERE e.member_id = $1 AND e.kind = 'RETURN'", m), "own lot, then the BONUS lot");
    }

    @Test
    void aPurchaseWithTwoAwardsGivesBackEachByItsOwnFormulaInOneEntryEach() {
        BusinessEventsTest.version(BusinessEventsTest.publish("""
                {"rules":[{"id":"purchase-base","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,
                           "pendingDays":14},
                          {"id":"purchase-bonus","event":"purchase","pointType":"BONUS","points":7}]}"""));
        String m = newMember();
        JsonNode bought = created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        assertEquals(107, bought.get("points").asLong());
        assertTrue(bought.get("awards").get(1).get("lot").get("pendingUntil").isNull(), "no window on the bonus");
        BalanceView open = balance(m, Instant.now());
        assertEquals(100, open.pending());
        assertEquals(7, open.available());

        JsonNode half = created(post(m, returning("ret-1", "order-1", 5_000L)));
        assertEquals(-53, half.get("points").asLong(), "50 of the base, floor(7 / 2) = 3 of the bonus");
        assertEquals(2, half.get("transactionIds").size());
        JsonNode rest = created(post(m, returning("ret-2", "order-1", null)));
        assertEquals(-54, rest.get("points").asLong());
        assertEquals(0, rest.get("balance").asLong());
        assertEquals(2, count("SELECT count(DISTINCT point_type) FROM ledger_entries WHERE member_id = $1 AND kind = 'RETURN'", m));
        assertEquals(4, count("SELECT count(*) FROM return_awards WHERE member_id = $1", m));
    }

    @Test
    void threeReturnsOfAThirdAndTheRestTakeBackExactlyTheAward() {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        String m = newMember();
        created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        long total = 0;
        for (int i = 1; i <= 3; i++) {
            JsonNode r = created(post(m, returning("ret-" + i, "order-1", 3_333L)));
            assertEquals(-33, r.get("points").asLong());
            total += r.get("points").asLong();
        }
        JsonNode rest = created(post(m, returning("ret-rest", "order-1", null)));
        assertEquals(1, rest.get("amount").asLong());
        total += rest.get("points").asLong();
        assertEquals(-100, total);
        assertEquals(0, balance(m, Instant.now()).balance());
        assertEquals(100, count("SELECT -sum(points) FROM ledger_entries WHERE member_id = $1 AND kind = 'RETURN'", m));
    }

    @Test
    void pendingPointsInTheLiabilityReport() {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        Instant before = Instant.now();
        long pendingBefore = liability.at(before, null).pending();
        String m = newMember();
        created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        created(post(m, returning("ret-1", "order-1", 4_000L)));
        Instant now = Instant.now().plusMillis(1);
        assertEquals(60, liability.at(now, null).pending() - pendingBefore, "as of now: 100 pending, 40 returned");
        assertEquals(pendingBefore, liability.at(before, null).pending(), "as of before the purchase, unchanged");
    }

    @Test
    void aReturnIsTwoRoundTrips() {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        String m = newMember();
        created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
        assertInstanceOf(EventResult.Recorded.class,
                events.recordReturn(new ReturnCommand(m, "ret-1", "order-1", 5_000L, null, null)));
        assertEquals(2, dev.loyalty.functions.store.Db.lastRoundTrips());
        assertInstanceOf(EventResult.Refused.class,
                events.recordReturn(new ReturnCommand(m, "ret-2", "order-404", 5_000L, null, null)));
        assertEquals(2, dev.loyalty.functions.store.Db.lastRoundTrips(), "a refusal: the reads, then the rollback");
    }

    @Test
    void aReturnRacingARedeemNeverLeavesANegativeLot() throws Exception {
        BusinessEventsTest.version(BusinessEventsTest.publish(RULES));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int run = 0; run < 8; run++) {
                String m = newMember();
                created(post(m, BusinessEventsTest.purchase("order-1", 10_000)));
                seed(m, 30, "BONUS", null);
                TestClock.pin(Instant.now().plus(16, ChronoUnit.DAYS));
                CountDownLatch go = new CountDownLatch(1);
                Future<SpendResult> redeem = pool.submit(() -> {
                    go.await();
                    return spend.redeem(new MemberId(m), new RedeemCommand(100, "spend-all", null));
                });
                Future<EventResult> returned = pool.submit(() -> {
                    go.await();
                    return events.recordReturn(new ReturnCommand(m, "ret-1", "order-1", null, null, null));
                });
                go.countDown();
                SpendResult s = redeem.get();
                EventResult.Recorded r = assertInstanceOf(EventResult.Recorded.class, returned.get());
                long points = ((Number) r.answer().get("points")).longValue();
                long shortfall = ((Number) r.answer().get("shortfall")).longValue();
                assertEquals(-100, points - shortfall, "taken back plus shortfall is the award");
                long balance = count("SELECT balance FROM accounts WHERE member_id = $1", m);
                if (s instanceof SpendResult.Done) {
                    // The redeem went first: it spent 100 (the purchase's lot first), the return took the rest.
                    assertEquals(0, balance);
                    assertEquals(-30, points);
                } else {
                    // The return went first: 100 from its own lot, 30 left, so a redeem of 100 was refused.
                    assertEquals(30, balance);
                    assertEquals(-100, points);
                }
                assertEquals(0, count("SELECT count(*) FROM lots WHERE member_id = $1 AND remaining_points < 0", m));
                List<LedgerChecks.Violation> violations = checks.checkAll(20);
                assertEquals(List.of(), violations, "run " + run);
                TestClock.release();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    long count(String sql, Object... args) {
        return db.read(tx -> {
            var it = tx.query(sql, args).iterator();
            if (!it.hasNext()) {
                return 0L;
            }
            Object v = it.next().getValue(0);
            return v == null ? 0L : ((Number) v).longValue();
        });
    }
}
