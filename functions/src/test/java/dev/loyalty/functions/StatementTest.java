package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.functions.balance.BalanceFunction;
import dev.loyalty.functions.balance.BalanceQueries;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /members/{id}/statement} through the balance Lambda's handler, on random
 * histories (earns of every type, redeems that may be refused, signed adjustments, transfers
 * both ways) written by the real services at pinned, increasing times. For random windows the
 * statement must give the balance the member had at {@code from} and at {@code to} (as read
 * from the balance route after each step), exactly the entries recorded in the window, oldest
 * first with a continuous chain, and opening + items = closing. A failure names its seed.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class StatementTest extends LedgerTestSupport {
    static final int SEEDS = Integer.getInteger("statement.seeds", 3);
    static final int STEPS = 40;
    static final int WINDOWS = 25;

    @Inject
    EarnService earn;
    @Inject
    SpendService spend;
    @Inject
    BalanceQueries queries;
    @Inject
    Db db;

    /** One applied step of the member's history: when, and the balance after it. */
    record Step(Instant at, long balanceAfter) {
    }

    @AfterEach
    void releaseClock() {
        TestClock.release();
    }

    @Test
    void openingPlusEntriesIsClosingOnRandomHistories() {
        long base = Long.getLong("statement.seed", System.nanoTime());
        for (int i = 0; i < SEEDS; i++) {
            long seed = base + i;
            try {
                randomHistory(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("statement seed " + seed + " (replay with -Dstatement.seed=" + seed
                        + " -Dstatement.seeds=1): " + e.getMessage(), e);
            }
        }
    }

    void randomHistory(long seed) {
        Random random = new Random(seed);
        String a = newMember();
        String b = newMember();
        Instant t = Instant.now().minus(Duration.ofDays(300)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        TestClock.pin(t);
        assertInstanceOf(EarnResult.Applied.class, earn.earn(new EarnCommand(b, 1_000_000, "BONUS", "b-seed", null, null)));
        List<Step> steps = new ArrayList<>();
        long balance = 0;
        String[] types = {"PURCHASE", "SIGN_IN", "PROMO", "BONUS"};
        for (int s = 0; s < STEPS; s++) {
            // Several steps may share one instant (an edge the window must not split wrongly).
            t = t.plusSeconds(random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(5 * 86_400));
            TestClock.pin(t);
            String ref = "r-" + s;
            switch (random.nextInt(6)) {
                case 0, 1 -> earn.earn(new EarnCommand(a, 1 + random.nextInt(500), types[random.nextInt(4)], ref, null, null));
                case 2 -> spend.redeem(new MemberId(a), new RedeemCommand(1 + random.nextInt(400), ref, null));
                case 3 -> spend.adjust(new MemberId(a), new AdjustCommand(random.nextBoolean() ? 1 + random.nextInt(50)
                        : -(1 + random.nextInt(50)), "BONUS", ref, "statement test"));
                case 4 -> spend.transfer(new MemberId(a), new TransferCommand(b, 1 + random.nextInt(200), ref, null));
                default -> spend.transfer(new MemberId(b), new TransferCommand(a, 1 + random.nextInt(200), ref, null));
            }
            long now = body(Lambda.invoke(ApiEvents.balance(a))).path("balance").asLong(0);
            if (now != balance) {
                // Every applied step writes exactly one entry of a and moves its balance; a
                // refused one (a redeem or transfer over the balance) writes nothing.
                steps.add(new Step(t, now));
                balance = now;
            }
        }
        TestClock.release();
        Instant first = steps.isEmpty() ? t : steps.get(0).at();
        Instant last = t;
        long span = Duration.between(first, last).getSeconds() + 4 * 86_400;
        for (int w = 0; w < WINDOWS; w++) {
            Instant from = first.minusSeconds(2 * 86_400).plusSeconds((long) (random.nextDouble() * span));
            Instant to = from.plusSeconds(1 + (long) (random.nextDouble() * span));
            if (random.nextInt(4) == 0 && !steps.isEmpty()) {
                from = steps.get(random.nextInt(steps.size())).at(); // an edge exactly on an entry
            }
            if (to.isAfter(from.plus(BalanceFunction.STATEMENT_RANGE_MAX))) {
                to = from.plus(BalanceFunction.STATEMENT_RANGE_MAX);
            }
            if (!to.isAfter(from)) {
                to = from.plusSeconds(1);
            }
            checkWindow(a, steps, from, to);
        }
        // Adjacent windows chain: the closing of one is the opening of the next.
        Instant mid = first.plus(Duration.between(first, last).dividedBy(2));
        JsonNode left = statement(a, first.minusSeconds(1), mid, 200);
        JsonNode right = statement(a, mid, last.plusSeconds(1), 200);
        assertEquals(left.get("closingBalance").asLong(), right.get("openingBalance").asLong());
        assertEquals(0, left.get("openingBalance").asLong(), "nothing before the first step");
        assertEquals(balance, right.get("closingBalance").asLong(), "the last window closes at the balance");
    }

    void checkWindow(String member, List<Step> steps, Instant from, Instant to) {
        JsonNode s = statement(member, from, to, 200);
        long expectedOpening = 0;
        long expectedClosing = 0;
        List<Step> inside = new ArrayList<>();
        for (Step step : steps) {
            if (step.at().isBefore(from)) {
                expectedOpening = step.balanceAfter();
            }
            if (step.at().isBefore(to)) {
                expectedClosing = step.balanceAfter();
            }
            if (!step.at().isBefore(from) && step.at().isBefore(to)) {
                inside.add(step);
            }
        }
        String where = "window [" + from + ", " + to + ")";
        assertEquals(expectedOpening, s.get("openingBalance").asLong(), where + " opening");
        assertEquals(expectedClosing, s.get("closingBalance").asLong(), where + " closing");
        JsonNode items = s.get("items");
        assertEquals(inside.size(), items.size(), where + " items");
        long running = s.get("openingBalance").asLong();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            running = Math.addExact(running, item.get("points").asLong());
            assertEquals(running, item.get("balanceAfter").asLong(), where + " chain at item " + i);
            assertEquals(inside.get(i).balanceAfter(), item.get("balanceAfter").asLong(), where + " item " + i);
            Instant recorded = Instant.parse(item.get("recordedAt").asText());
            assertTrue(!recorded.isBefore(from) && recorded.isBefore(to), where + " item " + i + " recorded " + recorded);
        }
        assertEquals(s.get("closingBalance").asLong(), running, where + ": opening + entries = closing");
    }

    static JsonNode statement(String member, Instant from, Instant to, int status) {
        JsonNode r = Lambda.invoke(ApiEvents.statement(member, Map.of("from", from.toString(), "to", to.toString())));
        assertEquals(status, r.get("statusCode").asInt(), r.toString());
        return body(r);
    }

    @Test
    void boundsAccessAndUnknownMembers() {
        String member = newMember();
        assertInstanceOf(EarnResult.Applied.class, earn.earn(new EarnCommand(member, 10, "BONUS", "s-1", null, null)));
        Instant now = Instant.now();
        Instant from = now.minusSeconds(3600);
        Instant to = now.plusSeconds(60);

        JsonNode own = statement(member, from, to, 200);
        assertEquals(0, own.get("openingBalance").asLong());
        assertEquals(10, own.get("closingBalance").asLong());
        assertEquals("EARN", own.get("items").get(0).get("kind").asText());

        JsonNode admin = Lambda.invoke(ApiEvents.as(ApiEvents.statement(member,
                Map.of("from", from.toString(), "to", to.toString())), "ops-console", "points:admin"));
        assertEquals(200, admin.get("statusCode").asInt(), admin.toString());
        JsonNode other = Lambda.invoke(ApiEvents.as(ApiEvents.statement(member,
                Map.of("from", from.toString(), "to", to.toString())), "someone-else", null));
        assertEquals(403, other.get("statusCode").asInt(), other.toString());

        String unknown = newMember();
        assertEquals("MEMBER_NOT_FOUND", statement(unknown, from, to, 404).get("code").asText());

        assertEquals("to", problemField(statement(member, to, from, 400)));
        assertEquals("to", problemField(statement(member, from, from.plus(Duration.ofDays(400)).plusSeconds(1), 400)));
        statement(member, from, from.plus(Duration.ofDays(400)), 200);
        JsonNode noFrom = Lambda.invoke(ApiEvents.statement(member, Map.of("to", to.toString())));
        assertEquals(400, noFrom.get("statusCode").asInt());
        assertEquals("from", problemField(body(noFrom)));
        JsonNode badTo = Lambda.invoke(ApiEvents.statement(member, Map.of("from", from.toString(), "to", "yesterday")));
        assertEquals(400, badTo.get("statusCode").asInt());
    }

    @Test
    void aWindowOfMoreThanAThousandEntriesIsRefused() {
        String member = newMember();
        MemberId id = new MemberId(member);
        Instant t0 = Instant.now().minusSeconds(7200).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // 1,001 entries at distinct instants, written by the queue's batch path in one transaction.
        db.inTransaction(tx -> earn.applyBatch(tx, IntStream.range(0, BalanceFunction.STATEMENT_ITEMS_MAX + 1)
                .mapToObj(i -> new EarnService.BatchItem(id, new EarnCommand(member, 1, "BONUS", "bulk-" + i, null, null)))
                .toList(), t0));
        // All 1,001 share one recordedAt (one batch): a window must take all or none of them.
        JsonNode tooMany = statement(member, t0, t0.plusSeconds(1), 400);
        assertEquals("to", problemField(tooMany));
        assertTrue(tooMany.get("detail").asText().contains("1001 entries"), tooMany.toString());
        JsonNode before = statement(member, t0.minusSeconds(10), t0, 200);
        assertEquals(0, before.get("items").size());
        assertEquals(0, before.get("closingBalance").asLong());
        // One more entry later: a window starting after the batch holds only it.
        TestClock.pin(t0.plusSeconds(5));
        assertInstanceOf(EarnResult.Applied.class, earn.earn(new EarnCommand(member, 7, "BONUS", "late-" + UUID.randomUUID(), null, null)));
        TestClock.release();
        JsonNode after = statement(member, t0.plusSeconds(1), t0.plusSeconds(60), 200);
        assertEquals(1001, after.get("openingBalance").asLong());
        assertEquals(1008, after.get("closingBalance").asLong());
        assertEquals(1, after.get("items").size());
    }

    static String problemField(JsonNode problem) {
        return problem.get("errors").get(0).get("field").asText();
    }
}
