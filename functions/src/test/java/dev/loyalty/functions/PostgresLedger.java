package dev.loyalty.functions;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.simulation.LedgerUnderTest;
import dev.loyalty.core.simulation.OpResult;
import dev.loyalty.core.simulation.Snapshot;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.HoldStatus;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.functions.balance.BalanceQueries;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.schedule.ExpireSweep;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Tx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The simulation's system under test: the real services on the real PostgreSQL schema. */
final class PostgresLedger implements LedgerUnderTest {
    private final EarnService earn;
    private final SpendService spend;
    private final ExpireSweep sweep;
    private final BalanceQueries balances;
    private final Db db;

    private final dev.loyalty.core.PointTypeCatalog catalog;
    private final dev.loyalty.functions.rewards.RewardCatalog rewards;
    private final dev.loyalty.functions.rewards.RedemptionService redemptions;

    private final dev.loyalty.functions.program.EventService events;
    /** The simulation's one rule ({@code CoreLedger.RULES}), as a version the event service evaluates with. */
    private static final dev.loyalty.functions.program.RuleSets.Version RULES = new dev.loyalty.functions.program.RuleSets.Version(
            1, java.time.Instant.EPOCH, new dev.loyalty.core.rules.RuleSet(List.of(new dev.loyalty.core.rules.Rule(
                    "sim-purchase", "purchase", "PURCHASE", 1, PER_AMOUNT, null, List.of(), PENDING_DAYS)), List.of()));
    private final dev.loyalty.functions.program.TierSets tierSets;
    private dev.loyalty.functions.program.TierSets.Version tierVersion;

    PostgresLedger(EarnService earn, SpendService spend, ExpireSweep sweep, BalanceQueries balances, Db db,
                   dev.loyalty.core.PointTypeCatalog catalog, dev.loyalty.functions.rewards.RewardCatalog rewards,
                   dev.loyalty.functions.rewards.RedemptionService redemptions,
                   dev.loyalty.functions.program.EventService events, dev.loyalty.functions.program.TierSets tierSets) {
        this.events = events;
        this.tierSets = tierSets;
        this.rewards = rewards;
        this.redemptions = redemptions;
        this.catalog = catalog;
        this.earn = earn;
        this.spend = spend;
        this.sweep = sweep;
        this.balances = balances;
        this.db = db;
    }

    /**
     * The tier set in force at the simulation's start (tier sets are global data: the runs stay
     * before the versions other tests publish at the real now, so one version holds throughout).
     */
    @Override
    public dev.loyalty.core.tiers.TierSet tierSet() {
        if (tierVersion == null) {
            tierVersion = tierSets.asOf(dev.loyalty.core.simulation.Simulation.START);
        }
        return tierVersion.tierSet();
    }

    /** Through the read path of {@code GET /members/{id}/tier}. */
    @Override
    public TierReading tier(String member, Instant now) {
        if (tierSets.asOf(now).version() != tierVersion.version()) {
            throw new AssertionError("the run reached " + now + ", where another tier set version is in force than at its"
                    + " start: run fewer steps (simulation.pg.ops)");
        }
        var view = balances.tier(new MemberId(member), now).orElseThrow();
        return new TierReading(view.qualifyingPoints(), view.name(), view.history().stream()
                .map(c -> TierReading.change(c.from(), c.to(), c.reason(), c.at())).toList());
    }

    @Override
    public OpResult earn(String member, long points, String type, String reference, Instant now) {
        TestClock.pin(now);
        EarnCommand command = new EarnCommand(member, points, type, reference, null, null);
        // Half the earns (by reference) go through the queue's batch path, the other half the API's.
        EarnResult result = Math.floorMod(reference == null ? 0 : reference.hashCode(), 2) == 0
                ? earn.earn(command) : batchEarn(command, now);
        return switch (result) {
            case EarnResult.Applied a -> OpResult.ok(a.receipt().transactionId());
            case EarnResult.AlreadyApplied a -> OpResult.ok(a.receipt().transactionId());
            case EarnResult.Refused r -> result(r.refusal());
        };
    }

    /** As the queue applies a record: the core's checks first (a failing record is parked), then a batch of one. */
    private EarnResult batchEarn(EarnCommand command, Instant now) {
        if (!MemberId.isValid(command.memberId())) {
            return new EarnResult.Refused(new Refusal.InvalidMemberId("memberId", command.memberId()));
        }
        MemberId id = new MemberId(command.memberId());
        if (EarnRule.apply(AccountState.empty(id), command, now, catalog, UUID::randomUUID) instanceof EarnOutcome.Refused(var r)) {
            return new EarnResult.Refused(r);
        }
        try {
            return db.inTransaction(tx -> earn.applyBatch(tx, List.of(new EarnService.BatchItem(id, command)), now)).get(0);
        } catch (EarnService.RejectedInTransaction r) {
            return new EarnResult.Refused(r.rejection);
        }
    }

    @Override
    public OpResult adjust(String member, long points, String type, String reference, String reason, Instant now) {
        return spendOp(member, now, m -> spend.adjust(m, new AdjustCommand(points, type, reference, reason)));
    }

    @Override
    public OpResult close(String member, String reason, String reference, Instant now) {
        return spendOp(member, now, m -> spend.close(m, new dev.loyalty.core.spend.CloseCommand(reason, reference)));
    }

    /**
     * A purchase as the API records it (validation, then one transaction of the event service),
     * evaluated with the simulation's one rule; the published rule sets are real-time data.
     */
    @Override
    public OpResult purchase(String member, long amount, String reference, Instant now) {
        TestClock.pin(now);
        var event = new dev.loyalty.core.rules.BusinessEvent(member, "purchase", reference, null, amount, null, null, null);
        var invalid = dev.loyalty.core.rules.RulesEngine.validate(event, now);
        if (invalid.isPresent()) {
            return result(invalid.get());
        }
        try {
            return eventResult(db.inTransaction(tx -> events.apply(tx, event, now, RULES)));
        } catch (dev.loyalty.functions.program.EventService.Rejected r) {
            return result(r.refusal);
        }
    }

    /** A return through the API's path (the event service's own transaction). */
    @Override
    public OpResult returnPurchase(String member, String originalReference, Long amount, String reference, Instant now) {
        TestClock.pin(now);
        return eventResult(events.recordReturn(new dev.loyalty.core.returns.ReturnCommand(member, reference,
                originalReference, amount, null, null)));
    }

    /** The id an event answered: a purchase's first award, a return's first RETURN entry (null when it took nothing). */
    private static OpResult eventResult(dev.loyalty.functions.program.EventResult r) {
        return switch (r) {
            case dev.loyalty.functions.program.EventResult.Recorded x -> OpResult.ok(firstId(x.answer()));
            case dev.loyalty.functions.program.EventResult.AlreadyRecorded x -> OpResult.ok(firstId(x.answer()));
            case dev.loyalty.functions.program.EventResult.Refused x -> result(x.refusal());
        };
    }

    private static UUID firstId(Map<String, Object> answer) {
        Object ids = answer.get("transactionIds");
        if (ids instanceof List<?> list) {
            return list.isEmpty() ? null : UUID.fromString(String.valueOf(list.get(0)));
        }
        List<?> awards = (List<?>) answer.get("awards");
        return awards.isEmpty() ? null : UUID.fromString(String.valueOf(((Map<?, ?>) awards.get(0)).get("transactionId")));
    }

    private static OpResult result(Refusal refusal) {
        if (refusal instanceof Refusal.ReturnExceedsPurchase x) {
            return new OpResult(false, x.code(), null, x.returnable());
        }
        if (refusal instanceof Refusal.InsufficientPoints i) {
            return OpResult.insufficient(i.available());
        }
        if (refusal instanceof Refusal.NotReversible n) {
            return OpResult.notReversible(n.reversible());
        }
        return OpResult.rejected(refusal.code());
    }

    @Override
    public OpResult redeem(String member, long points, String reference, Instant now) {
        return spendOp(member, now, m -> spend.redeem(m, new RedeemCommand(points, reference, null)));
    }

    @Override
    public OpResult hold(String member, long points, String reference, Long ttlSeconds, Instant now) {
        return spendOp(member, now, m -> spend.hold(m, new HoldCommand(points, reference, ttlSeconds)));
    }

    @Override
    public OpResult capture(String member, UUID holdId, Long points, Instant now) {
        return spendOp(member, now, m -> spend.capture(m, new CaptureCommand(holdId, points)));
    }

    @Override
    public OpResult voidHold(String member, UUID holdId, Instant now) {
        return spendOp(member, now, m -> spend.voidHold(m, new VoidCommand(holdId)));
    }

    @Override
    public OpResult reverse(String member, UUID transactionId, Long points, String reference, Instant now) {
        return spendOp(member, now, m -> spend.reverse(m, new ReversalCommand(transactionId, points, reference, null)));
    }

    @Override
    public OpResult transfer(String from, String to, long points, String reference, Instant now) {
        return spendOp(from, now, m -> spend.transfer(m, new TransferCommand(to, points, reference, null)));
    }

    @Override
    public OpResult expire(Instant now) {
        TestClock.pin(now);
        ExpireSweep.Report report = sweep.run(1000, 60_000);
        if (!report.finished()) {
            throw new AssertionError("sweep did not finish: " + report);
        }
        return OpResult.ok(null);
    }

    @Override
    public void defineReward(String rewardId, Instant now) {
        var saved = rewards.put(rewardId, new dev.loyalty.functions.rewards.RewardCatalog.Definition("sim", REWARD_COST,
                REWARD_STOCK, REWARD_LIMIT, true), "simulation", now);
        if (!(saved instanceof dev.loyalty.functions.rewards.RewardCatalog.Saved.Done d) || !d.created()) {
            throw new IllegalStateException("reward " + rewardId + " not created: " + saved);
        }
    }

    @Override
    public long rewardStock(String rewardId) {
        return db.read(tx -> tx.query("SELECT stock FROM rewards WHERE reward_id = $1", rewardId).iterator().next().getLong(0));
    }

    @Override
    public OpResult redeemReward(String member, String rewardId, Integer quantity, String reference, Instant now) {
        return spendOp(member, now, m -> redemptions.redeem(m,
                new dev.loyalty.core.spend.RedemptionCommand(rewardId, quantity, reference)));
    }

    @Override
    public OpResult fulfil(String member, UUID redemptionId, Instant now) {
        return spendOp(member, now, m -> redemptions.fulfil(m, redemptionId, null));
    }

    @Override
    public OpResult cancelRedemption(String member, UUID redemptionId, Instant now) {
        return spendOp(member, now, m -> redemptions.cancel(m, redemptionId, "sim"));
    }

    private OpResult spendOp(String member, Instant now, java.util.function.Function<MemberId, SpendResult> op) {
        TestClock.pin(now);
        if (!MemberId.isValid(member)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        return switch (op.apply(new MemberId(member))) {
            case SpendResult.Done d -> OpResult.ok(switch (d.receipt()) {
                case Receipts.Redeemed r -> r.transactionId();
                case Receipts.HoldPlaced h -> h.holdId();
                case Receipts.Transaction t -> t.transactionId();
                case Receipts.Voided v -> v.holdId();
                case Receipts.Closed c -> null;
                case dev.loyalty.functions.rewards.RewardReceipts.Created c -> c.redemptionId();
                case dev.loyalty.functions.rewards.RewardReceipts.Fulfilled f -> f.redemptionId();
                case dev.loyalty.functions.rewards.RewardReceipts.Cancelled c -> c.redemptionId();
                default -> throw new IllegalStateException("unexpected receipt " + d.receipt());
            });
            case SpendResult.Refused r -> result(r.refusal());
        };
    }

    @Override
    public Snapshot snapshot(String member, Instant now) {
        if (!MemberId.isValid(member)) {
            return Snapshot.absent(member);
        }
        MemberId id = new MemberId(member);
        var view = balances.balance(id, now);
        if (view.isEmpty()) {
            return Snapshot.absent(member);
        }
        return db.read(tx -> {
            checkInDatabase(tx, member);
            List<Snapshot.LotView> lots = tx.list("SELECT lot_id, point_type, original_points, remaining_points, earned_at,"
                            + " expires_at, source_entry_id, pending_until FROM lots WHERE member_id = $1 ORDER BY earned_at, lot_id",
                    r -> new Snapshot.LotView(r.getUUID("lot_id"), r.getString("point_type"), r.getLong("original_points"),
                            r.getLong("remaining_points"), Tx.instant(r, "earned_at"), Tx.instant(r, "expires_at"),
                            r.getUUID("source_entry_id"), Tx.instant(r, "pending_until")), member);
            Map<UUID, List<Allocation>> allocations = new HashMap<>();
            tx.list("SELECT entry_id, lot_id, points FROM entry_allocations WHERE member_id = $1 ORDER BY entry_id, position",
                    r -> allocations.computeIfAbsent(r.getUUID("entry_id"), k -> new ArrayList<>())
                            .add(new Allocation(r.getUUID("lot_id"), r.getLong("points"))), member);
            List<Snapshot.EntryView> entries = tx.list("SELECT entry_id, kind, points, balance_after, sequence, reverses_entry_id"
                            + " FROM ledger_entries WHERE member_id = $1 ORDER BY sequence",
                    r -> new Snapshot.EntryView(r.getUUID("entry_id"), EntryKind.valueOf(r.getString("kind")),
                            r.getLong("points"), r.getLong("balance_after"), r.getLong("sequence"),
                            r.getUUID("reverses_entry_id"), allocations.getOrDefault(r.getUUID("entry_id"), List.of())), member);
            List<Snapshot.HoldView> holds = tx.list("SELECT hold_id, points, status, expires_at FROM holds WHERE member_id = $1",
                    r -> new Snapshot.HoldView(r.getUUID("hold_id"), r.getLong("points"), HoldStatus.valueOf(r.getString("status")),
                            Tx.instant(r, "expires_at")), member);
            return new Snapshot(member, true, view.get().balance(), view.get().available(), view.get().held(), lots, entries,
                    holds);
        });
    }

    /**
     * The PostgreSQL run's own invariants, asserted in SQL after every step for every member,
     * independent of the snapshot the simulation compares with the model:
     * <ol>
     *   <li>the account's balance equals the sum of its entries and the sum of its lots' remaining;</li>
     *   <li>the entries' sequences run 1..n with no gap, the account's version is n, and every
     *       balance_after is the one before plus the entry's points;</li>
     *   <li>every debit's allocations add up to its points, no lot holds less than 0 or more
     *       than it was created with, and every write that took a reference stored its
     *       request fingerprint (the reference rule's record).</li>
     * </ol>
     */
    private static void checkInDatabase(Tx tx, String member) {
        String totals = tx.one("""
                SELECT a.balance, a.version,
                       (SELECT COALESCE(SUM(points), 0) FROM ledger_entries e WHERE e.member_id = a.member_id) AS entries,
                       (SELECT COALESCE(SUM(remaining_points), 0) FROM lots l WHERE l.member_id = a.member_id) AS lots
                  FROM accounts a WHERE a.member_id = $1""", r -> r.getLong("balance").equals(r.getLong("entries"))
                && r.getLong("balance").equals(r.getLong("lots")) ? ""
                : "balance " + r.getLong("balance") + ", entries " + r.getLong("entries") + ", lots " + r.getLong("lots"),
                member).orElse("");
        require(totals.isEmpty(), member + ": " + totals);
        long broken = tx.one("""
                SELECT count(*) FILTER (WHERE sequence <> n OR balance_after <> COALESCE(prev, 0) + points) AS broken,
                       max(n) AS entries, (SELECT version FROM accounts WHERE member_id = $1) AS version
                  FROM (SELECT sequence, points, balance_after, row_number() OVER (ORDER BY sequence) AS n,
                               lag(balance_after) OVER (ORDER BY sequence) AS prev
                          FROM ledger_entries WHERE member_id = $1) x""",
                r -> r.getLong("broken") + (r.getLong("entries") == null || r.getLong("entries").equals(r.getLong("version")) ? 0 : 1),
                member).orElse(0L);
        require(broken == 0, member + ": the sequence or balance_after chain is broken in " + broken + " places");
        long bad = tx.one("""
                SELECT (SELECT count(*) FROM ledger_entries e
                         WHERE e.member_id = $1 AND e.kind NOT IN ('EARN', 'TRANSFER_IN')
                           AND NOT (e.kind = 'ADJUSTMENT' AND e.points > 0)
                           AND ABS(e.points) <> (SELECT COALESCE(SUM(a.points), 0) FROM entry_allocations a
                                                  WHERE a.member_id = e.member_id AND a.entry_id = e.entry_id))
                     + (SELECT count(*) FROM lots WHERE member_id = $1
                         AND (remaining_points < 0 OR remaining_points > original_points))
                     + (SELECT count(*) FROM ledger_entries WHERE member_id = $1
                         AND kind NOT IN ('EXPIRE', 'TRANSFER_IN') AND request_fingerprint IS NULL)
                     + (SELECT count(*) FROM holds WHERE member_id = $1 AND request_fingerprint IS NULL) AS bad""",
                r -> r.getLong("bad"), member).orElse(0L);
        require(bad == 0, member + ": " + bad + " allocations, lots or reference records are wrong");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError("database invariant: " + message);
        }
    }
}
