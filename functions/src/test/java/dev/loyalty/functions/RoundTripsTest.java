package dev.loyalty.functions;

import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Database round trips per write, counted in the code path (Tx counts what it awaits): the
 * physical minimum for read-decide-write is two (BEGIN with the locked reads; the writes with
 * COMMIT), and every write must stay there. This fails if an operation's count grows.
 */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class RoundTripsTest extends SpendingSupport {
    @Inject
    SpendService spend;

    static final int MINIMUM = 2;

    @Inject
    dev.loyalty.functions.program.EventService events;
    @Inject
    dev.loyalty.functions.program.RuleSets ruleSets;
    @Inject
    dev.loyalty.functions.rewards.RewardCatalog rewards;
    @Inject
    dev.loyalty.functions.rewards.RedemptionService redemptions;

    <T> T counted(Map<String, Integer> counts, String operation, Supplier<T> call) {
        T result = call.get();
        counts.put(operation, Db.lastRoundTrips());
        return result;
    }

    @Test
    void everyWriteIsTwoRoundTrips() {
        String m = newMember();
        String other = newMember();
        seed(other, 1, "PURCHASE", null);
        MemberId id = new MemberId(m);
        Map<String, Integer> counts = new LinkedHashMap<>();
        counted(counts, "earn (new member)", () -> assertInstanceOf(EarnResult.Applied.class,
                earnService.earn(new EarnCommand(m, 100, "PURCHASE", "e-1", null, null))));
        counted(counts, "earn", () -> assertInstanceOf(EarnResult.Applied.class,
                earnService.earn(new EarnCommand(m, 100, "PURCHASE", "e-2", null, null))));
        var redeemed = (Receipts.Redeemed) ((SpendResult.Done) counted(counts, "redeem",
                () -> spend.redeem(id, new RedeemCommand(10, "r-1", null)))).receipt();
        var held = (Receipts.HoldPlaced) ((SpendResult.Done) counted(counts, "hold",
                () -> spend.hold(id, new HoldCommand(20, "h-1", null)))).receipt();
        counted(counts, "capture", () -> assertInstanceOf(SpendResult.Done.class,
                spend.capture(id, new CaptureCommand(held.holdId(), 5L))));
        var second = (Receipts.HoldPlaced) ((SpendResult.Done) spend.hold(id, new HoldCommand(5, "h-2", null))).receipt();
        counted(counts, "void", () -> assertInstanceOf(SpendResult.Done.class,
                spend.voidHold(id, new VoidCommand(second.holdId()))));
        counted(counts, "reversal", () -> assertInstanceOf(SpendResult.Done.class,
                spend.reverse(id, new ReversalCommand(redeemed.transactionId(), 3L, "rev-1", null))));
        counted(counts, "transfer", () -> assertInstanceOf(SpendResult.Done.class,
                spend.transfer(id, new TransferCommand(other, 7, "t-1", null))));
        counted(counts, "adjustment", () -> assertInstanceOf(SpendResult.Done.class,
                spend.adjust(id, new AdjustCommand(-2, null, "a-1", "ticket 7"))));
        var rules = (dev.loyalty.core.rules.RuleSetParser.Result.Parsed) ruleSets.parse(
                new io.vertx.core.json.JsonObject(BusinessEventsTest.RULES).getMap());
        ruleSets.publish(rules.ruleSet(), null, java.time.Instant.now(), "round-trips-test");
        var purchase = new dev.loyalty.core.rules.BusinessEvent(m, "purchase", "ev-1", null, 12_999L, "EUR", null, null);
        counted(counts, "business event", () -> assertInstanceOf(dev.loyalty.functions.program.EventResult.Recorded.class,
                events.record(purchase)));
        counted(counts, "business event (same again)", () -> assertInstanceOf(
                dev.loyalty.functions.program.EventResult.AlreadyRecorded.class, events.record(purchase)));
        counted(counts, "refused redeem", () -> assertInstanceOf(SpendResult.Refused.class,
                spend.redeem(id, new RedeemCommand(1_000_000, "r-2", null))));
        String reward = "rt-" + UUID.randomUUID();
        rewards.put(reward, new dev.loyalty.functions.rewards.RewardCatalog.Definition("Mug", 5, 2L, null, true), "test",
                java.time.Instant.now());
        var first = (dev.loyalty.functions.rewards.RewardReceipts.Created) ((SpendResult.Done) counted(counts, "redemption",
                () -> redemptions.redeem(id, new dev.loyalty.core.spend.RedemptionCommand(reward, 1, "rd-1")))).receipt();
        var secondRedemption = (dev.loyalty.functions.rewards.RewardReceipts.Created) ((SpendResult.Done)
                redemptions.redeem(id, new dev.loyalty.core.spend.RedemptionCommand(reward, 1, "rd-2"))).receipt();
        counted(counts, "refused redemption (out of stock)", () -> assertInstanceOf(SpendResult.Refused.class,
                redemptions.redeem(id, new dev.loyalty.core.spend.RedemptionCommand(reward, 1, "rd-3"))));
        counted(counts, "fulfil", () -> assertInstanceOf(SpendResult.Done.class,
                redemptions.fulfil(id, first.redemptionId(), "parcel-1")));
        counted(counts, "cancel", () -> assertInstanceOf(SpendResult.Done.class,
                redemptions.cancel(id, secondRedemption.redemptionId(), "lost in transit")));
        System.out.println("database round trips per operation: " + counts);
        counts.forEach((operation, n) -> assertEquals(MINIMUM, n, operation + " took " + n + " round trips"));
        assertEquals(UUID.class, redeemed.transactionId().getClass());
    }
}
