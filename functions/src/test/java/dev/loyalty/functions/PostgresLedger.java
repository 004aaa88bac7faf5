package dev.loyalty.functions;

import dev.loyalty.core.EntryKind;
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
import dev.loyalty.core.spend.SpendOutcome;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.functions.balance.BalanceQueries;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.redeem.Receipts;
import dev.loyalty.functions.redeem.SpendResult;
import dev.loyalty.functions.redeem.SpendService;
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

    PostgresLedger(EarnService earn, SpendService spend, ExpireSweep sweep, BalanceQueries balances, Db db) {
        this.earn = earn;
        this.spend = spend;
        this.sweep = sweep;
        this.balances = balances;
        this.db = db;
    }

    @Override
    public OpResult earn(String member, long points, String type, String reference, Instant now) {
        TestClock.pin(now);
        return switch (earn.earn(new EarnCommand(member, points, type, reference, null, null))) {
            case EarnResult.Applied a -> OpResult.ok(a.receipt().transactionId());
            case EarnResult.AlreadyApplied a -> OpResult.ok(a.receipt().transactionId());
            case EarnResult.ReferenceReusedWithDifferentRequest r -> OpResult.rejected("REFERENCE_ALREADY_USED");
            case EarnResult.Rejected r -> OpResult.rejected(r.rejection().code());
        };
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

    private OpResult spendOp(String member, Instant now, java.util.function.Function<MemberId, SpendResult> op) {
        TestClock.pin(now);
        if (!MemberId.isValid(member)) {
            return OpResult.rejected("VALIDATION_FAILED");
        }
        return switch (op.apply(new MemberId(member))) {
            case SpendResult.Done d -> OpResult.ok(switch (d.body()) {
                case Receipts.Redeemed r -> r.transactionId();
                case Receipts.HoldPlaced h -> h.holdId();
                case Receipts.Transaction t -> t.transactionId();
                case Receipts.Voided v -> v.holdId();
                default -> throw new IllegalStateException("unexpected body " + d.body());
            });
            case SpendResult.Problem p -> OpResult.rejected(p.error().name());
            case SpendResult.Refused r -> switch (r.rejection()) {
                case SpendOutcome.InsufficientPoints i -> OpResult.insufficient(i.available());
                case SpendOutcome.NotReversible n -> OpResult.notReversible(n.reversible());
                default -> OpResult.rejected(r.rejection().code());
            };
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
            List<Snapshot.LotView> lots = tx.list("SELECT lot_id, point_type, original_points, remaining_points, earned_at,"
                            + " expires_at, source_entry_id FROM lots WHERE member_id = $1 ORDER BY earned_at, lot_id",
                    r -> new Snapshot.LotView(r.getUUID("lot_id"), r.getString("point_type"), r.getLong("original_points"),
                            r.getLong("remaining_points"), Tx.instant(r, "earned_at"), Tx.instant(r, "expires_at"),
                            r.getUUID("source_entry_id")), member);
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
}
