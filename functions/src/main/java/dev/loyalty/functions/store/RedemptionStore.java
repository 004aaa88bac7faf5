package dev.loyalty.functions.store;

import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.Redemption;
import dev.loyalty.core.spend.RedemptionStatus;
import dev.loyalty.core.spend.Reward;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of rewards and redemptions, queued on a {@link Tx} like {@link LedgerStore}'s so a
 * write sends them with its lock in one round trip. Every redemption read names one member;
 * the reward is read by its id (a reference table). A cancel's reads find the redemption's
 * REDEEM through the redemption row (subqueries), so they need no earlier round trip.
 */
@ApplicationScoped
public class RedemptionStore {
    static final String REWARD_COLUMNS = "reward_id, name, cost, stock, per_member_limit, active";

    /** A redemption with what the reference rule and a replay need. */
    public record StoredRedemption(Redemption redemption, String fingerprint, String finishFingerprint,
                                   String fulfilmentRef, UUID cancelEntryId, Long cancelBalance, long paidBalance) {
    }

    private static final String STORED = "SELECT r.member_id, r.redemption_id, r.reward_id, r.quantity, r.points, r.status,"
            + " r.reference, r.entry_id, r.created_at, r.request_fingerprint, r.finish_fingerprint, r.fulfilment_ref,"
            + " r.cancel_entry_id, ce.balance_after AS cancel_balance, pe.balance_after AS paid_balance"
            + " FROM redemptions r"
            + " JOIN ledger_entries pe ON pe.member_id = r.member_id AND pe.entry_id = r.entry_id"
            + " LEFT JOIN ledger_entries ce ON ce.member_id = r.member_id AND ce.entry_id = r.cancel_entry_id";

    public Tx.Deferred<Optional<Reward>> reward(Tx tx, String rewardId) {
        return tx.laterOne("SELECT " + REWARD_COLUMNS + " FROM rewards WHERE reward_id = $1", RedemptionStore::reward, rewardId);
    }

    /** The reward of a member's redemption (none when the redemption does not exist). */
    public Tx.Deferred<Optional<Reward>> rewardOf(Tx tx, MemberId member, UUID redemptionId) {
        return tx.laterOne("SELECT " + REWARD_COLUMNS + " FROM rewards WHERE reward_id ="
                        + " (SELECT reward_id FROM redemptions WHERE member_id = $1 AND redemption_id = $2)",
                RedemptionStore::reward, member.value(), redemptionId);
    }

    /** The member's PENDING and FULFILLED units of a reward (what its perMemberLimit counts). */
    public Tx.Deferred<Long> unitsHeld(Tx tx, MemberId member, String rewardId) {
        return tx.later("SELECT COALESCE(SUM(quantity), 0) AS units FROM redemptions WHERE member_id = $1 AND reward_id = $2"
                        + " AND status IN ('PENDING', 'FULFILLED')",
                rows -> rows.iterator().next().getLong("units"), member.value(), rewardId);
    }

    public Tx.Deferred<Optional<StoredRedemption>> byReference(Tx tx, MemberId member, String reference) {
        return tx.laterOne(STORED + " WHERE r.member_id = $1 AND r.reference = $2", RedemptionStore::stored,
                member.value(), reference);
    }

    public Tx.Deferred<Optional<StoredRedemption>> redemption(Tx tx, MemberId member, UUID redemptionId) {
        return tx.laterOne(STORED + " WHERE r.member_id = $1 AND r.redemption_id = $2", RedemptionStore::stored,
                member.value(), redemptionId);
    }

    /** The member's redemptions, newest first. */
    public Tx.Deferred<List<StoredRedemption>> list(Tx tx, MemberId member, int limit) {
        return tx.laterList(STORED + " WHERE r.member_id = $1 ORDER BY r.created_at DESC, r.redemption_id LIMIT $2",
                RedemptionStore::stored, member.value(), limit);
    }

    /** The allocations of a redemption's REDEEM, in spending order. */
    public Tx.Deferred<List<Allocation>> paidAllocations(Tx tx, MemberId member, UUID redemptionId) {
        return tx.laterList("SELECT a.lot_id, a.points FROM entry_allocations a JOIN redemptions r"
                        + " ON r.member_id = a.member_id AND r.entry_id = a.entry_id"
                        + " WHERE a.member_id = $1 AND r.redemption_id = $2 ORDER BY a.position",
                r -> new Allocation(r.getUUID("lot_id"), r.getLong("points")), member.value(), redemptionId);
    }

    /** The lots a redemption's REDEEM spent, whatever they hold now (a cancel restores into them). */
    public Tx.Deferred<List<Lot>> paidLots(Tx tx, MemberId member, UUID redemptionId) {
        return tx.laterList("SELECT " + LedgerStore.LOT_COLUMNS + " FROM lots WHERE member_id = $1 AND lot_id IN"
                        + " (SELECT a.lot_id FROM entry_allocations a JOIN redemptions r"
                        + " ON r.member_id = a.member_id AND r.entry_id = a.entry_id"
                        + " WHERE a.member_id = $1 AND r.redemption_id = $2)",
                LedgerStore::lot, member.value(), redemptionId);
    }

    /** The REDEEM entry of a redemption (for the reversal rule). */
    public Tx.Deferred<Optional<dev.loyalty.core.LedgerEntry>> paidEntry(Tx tx, MemberId member, UUID redemptionId) {
        return tx.laterOne("SELECT " + LedgerStore.ENTRY_COLUMNS + " FROM ledger_entries WHERE member_id = $1 AND entry_id ="
                        + " (SELECT entry_id FROM redemptions WHERE member_id = $1 AND redemption_id = $2)",
                LedgerStore::entry, member.value(), redemptionId);
    }

    /** Per lot, what earlier reversals of the redemption's REDEEM restored (an operator's reversal, say). */
    public Tx.Deferred<Map<UUID, Long>> restoredByLot(Tx tx, MemberId member, UUID redemptionId) {
        return tx.later("SELECT a.lot_id, SUM(a.points) AS points FROM ledger_entries e"
                + " JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id"
                + " WHERE e.member_id = $1 AND e.reverses_entry_id ="
                + " (SELECT entry_id FROM redemptions WHERE member_id = $1 AND redemption_id = $2) GROUP BY a.lot_id", rows -> {
                    Map<UUID, Long> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("lot_id"), r.getLong("points")));
                    return out;
                }, member.value(), redemptionId);
    }

    public Tx.Deferred<Long> alreadyReversed(Tx tx, MemberId member, UUID redemptionId) {
        return tx.later("SELECT COALESCE(SUM(ABS(points)), 0) AS total FROM ledger_entries WHERE member_id = $1"
                        + " AND reverses_entry_id = (SELECT entry_id FROM redemptions WHERE member_id = $1 AND redemption_id = $2)",
                rows -> rows.iterator().next().getLong("total"), member.value(), redemptionId);
    }

    static Reward reward(Row r) {
        return new Reward(r.getString("reward_id"), r.getString("name"), r.getLong("cost"), r.getLong("stock"),
                r.getInteger("per_member_limit"), r.getBoolean("active"));
    }

    static StoredRedemption stored(Row r) {
        Redemption redemption = new Redemption(r.getUUID("redemption_id"), new MemberId(r.getString("member_id")),
                r.getString("reward_id"), r.getInteger("quantity"), r.getLong("points"),
                RedemptionStatus.valueOf(r.getString("status")), r.getString("reference"), r.getUUID("entry_id"),
                Tx.instant(r, "created_at"));
        return new StoredRedemption(redemption, r.getString("request_fingerprint"), r.getString("finish_fingerprint"),
                r.getString("fulfilment_ref"), r.getUUID("cancel_entry_id"), r.getLong("cancel_balance"),
                r.getLong("paid_balance"));
    }
}
