package dev.loyalty.functions.rewards;

import dev.loyalty.core.Limits;
import dev.loyalty.core.Points;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.spend.RedemptionRules;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Tx;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Optional;

/**
 * The reward catalog, a small reference table: create or update a reward (one upsert
 * statement), change its stock exactly once per (reward, reference), list it. Redemptions take
 * stock in their own transactions ({@link RedemptionService}); an operator's change locks the
 * reward's row for its two round trips, which a redemption's decrement waits for.
 */
@ApplicationScoped
public class RewardCatalog {
    public static final int NAME_MAX_LENGTH = 200;
    private static final String COLUMNS = "reward_id, name, cost, stock, per_member_limit, active";

    private final Db db;

    public RewardCatalog(Db db) {
        this.db = db;
    }

    /** A reward definition as received; {@code initialStock} applies only when the reward is created. */
    public record Definition(String name, long cost, Long initialStock, Integer perMemberLimit, boolean active) {
    }

    public sealed interface Saved {
        record Done(RewardReceipts.RewardView reward, boolean created) implements Saved {
        }

        record Refused(Refusal refusal) implements Saved {
        }
    }

    public static Optional<Refusal> validate(String rewardId, Definition d) {
        if (!RedemptionRules.isValidRewardId(rewardId)) {
            return Optional.of(new Refusal.InvalidRewardField("rewardId", "rewardId must be 1..64 characters of A-Z a-z 0-9 _ . : -"));
        }
        if (d.name() == null || d.name().isBlank() || d.name().length() > NAME_MAX_LENGTH
                || !Limits.isValidDescription(d.name())) {
            return Optional.of(new Refusal.InvalidRewardField("name",
                    "name is required: 1.." + NAME_MAX_LENGTH + " characters with no control characters"));
        }
        if (!Points.isValidAmount(d.cost())) {
            return Optional.of(new Refusal.InvalidRewardField("cost",
                    "cost must be between " + Points.MIN_PER_OPERATION + " and " + Points.MAX_PER_OPERATION));
        }
        if (d.initialStock() != null && (d.initialStock() < 0 || d.initialStock() > Points.MAX_PER_OPERATION)) {
            return Optional.of(new Refusal.InvalidRewardField("initialStock",
                    "initialStock must be between 0 and " + Points.MAX_PER_OPERATION));
        }
        if (d.perMemberLimit() != null && d.perMemberLimit() < 1) {
            return Optional.of(new Refusal.InvalidRewardField("perMemberLimit", "perMemberLimit must be at least 1"));
        }
        return Optional.empty();
    }

    /** Creates the reward (with its initial stock; absent = unlimited) or updates it (the stock stays as it is). */
    public Saved put(String rewardId, Definition d, String actor, Instant now) {
        Optional<Refusal> invalid = validate(rewardId, d);
        if (invalid.isPresent()) {
            return new Saved.Refused(invalid.get());
        }
        return db.inTransaction(tx -> {
            Row row = tx.query("INSERT INTO rewards(reward_id, name, cost, stock, per_member_limit, active, created_at,"
                    + " updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8)"
                    + " ON CONFLICT (reward_id) DO UPDATE SET name = EXCLUDED.name, cost = EXCLUDED.cost,"
                    + " per_member_limit = EXCLUDED.per_member_limit, active = EXCLUDED.active,"
                    + " updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by"
                    + " RETURNING " + COLUMNS + ", (xmax = 0) AS created", rewardId, d.name(), d.cost(), d.initialStock(),
                    d.perMemberLimit(), d.active(), now, actor).iterator().next();
            return new Saved.Done(view(row), row.getBoolean("created"));
        });
    }

    public sealed interface StockChanged {
        record Done(long stock, boolean replayed) implements StockChanged {
        }

        record Refused(Refusal refusal) implements StockChanged {
        }
    }

    /**
     * Adds {@code delta} (negative: removes) to the reward's stock, once per reference: the same
     * change again answers the stock it left; another change with that reference is
     * REFERENCE_ALREADY_USED. The stock never goes below zero (OUT_OF_STOCK with what is left).
     */
    public StockChanged changeStock(String rewardId, long delta, String reference, String actor, Instant now) {
        if (!RedemptionRules.isValidRewardId(rewardId)) {
            return new StockChanged.Refused(new Refusal.RewardNotFound(rewardId));
        }
        if (delta == 0 || Math.abs(delta) > Points.MAX_PER_OPERATION) {
            return new StockChanged.Refused(new Refusal.InvalidRewardField("delta",
                    "delta must be a non-zero whole number of at most " + Points.MAX_PER_OPERATION + " either way"));
        }
        if (!Limits.isValidReference(reference)) {
            return new StockChanged.Refused(new Refusal.InvalidReference(reference));
        }
        String fingerprint = RequestFingerprint.stockChange(rewardId, delta, reference);
        try {
            return db.inTransaction(tx -> {
                var reward = tx.laterOne("SELECT stock, (stock IS NULL) AS unlimited FROM rewards WHERE reward_id = $1 FOR UPDATE",
                        r -> r.getBoolean("unlimited") ? -1L : r.getLong("stock"), rewardId);
                var prior = tx.laterOne("SELECT request_fingerprint, stock_after FROM reward_stock_changes"
                        + " WHERE reward_id = $1 AND reference = $2", r -> r, rewardId, reference);
                tx.flush();
                if (reward.get().isEmpty()) {
                    throw new Refuse(new Refusal.RewardNotFound(rewardId));
                }
                if (prior.get().isPresent()) {
                    Row p = prior.get().get();
                    if (fingerprint.equals(p.getString("request_fingerprint"))) {
                        return new StockChanged.Done(p.getLong("stock_after"), true);
                    }
                    throw new Refuse(new Refusal.ReferenceAlreadyUsed(null, null));
                }
                long stock = reward.get().get();
                if (stock < 0) {
                    throw new Refuse(new Refusal.InvalidRewardField("delta", "this reward has unlimited stock"));
                }
                long after = stock + delta;
                if (after < 0) {
                    throw new Refuse(new Refusal.OutOfStock(rewardId, -delta, stock));
                }
                tx.later("UPDATE rewards SET stock = $2, updated_at = $3, updated_by = $4 WHERE reward_id = $1", r -> null,
                        rewardId, after, now, actor);
                tx.later("INSERT INTO reward_stock_changes(reward_id, reference, delta, stock_after, request_fingerprint,"
                        + " created_at, actor_sub) VALUES ($1,$2,$3,$4,$5,$6,$7)", r -> null, rewardId, reference, delta, after,
                        fingerprint, now, actor);
                return new StockChanged.Done(after, false);
            });
        } catch (Refuse r) {
            return new StockChanged.Refused(r.refusal);
        }
    }

    public RewardReceipts.Rewards list() {
        return new RewardReceipts.Rewards(db.read(tx -> tx.list("SELECT " + COLUMNS + " FROM rewards ORDER BY reward_id",
                RewardCatalog::view)));
    }

    static RewardReceipts.RewardView view(Row r) {
        return new RewardReceipts.RewardView(r.getString("reward_id"), r.getString("name"), r.getLong("cost"),
                r.getLong("stock"), r.getInteger("per_member_limit"), r.getBoolean("active"));
    }

    private static final class Refuse extends RuntimeException {
        final Refusal refusal;

        Refuse(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }
    }
}
