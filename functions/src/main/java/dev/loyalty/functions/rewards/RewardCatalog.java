package dev.loyalty.functions.rewards;

import dev.loyalty.core.Limits;
import dev.loyalty.core.Points;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.spend.RedemptionRules;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Entities;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The reward catalog, a small reference table of configuration entities ({@link Reward},
 * {@link RewardStockChange}, through Hibernate Reactive with Panache): create or update a
 * reward, change its stock exactly once per (reward, reference), list it. Redemptions take
 * stock in their own transactions with a conditional SQL decrement ({@link RedemptionService});
 * an operator's change locks the reward's row for its transaction, which a redemption's
 * decrement waits for.
 */
@ApplicationScoped
public class RewardCatalog {
    public static final int NAME_MAX_LENGTH = 200;

    private final Entities entities;
    private final RewardRepository rewards;
    private final StockChangeRepository changes;

    public RewardCatalog(Entities entities, RewardRepository rewards, StockChangeRepository changes) {
        this.entities = entities;
        this.rewards = rewards;
        this.changes = changes;
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

    /**
     * Creates the reward (with its initial stock; absent = unlimited) or updates it (the stock
     * stays as it is), through Panache: the row is loaded with its lock, so an update and a
     * redemption's decrement never lose each other's change. Two creations of one new reward at
     * once: one inserts, the other meets the primary key and runs again as an update.
     */
    public Saved put(String rewardId, Definition d, String actor, Instant now) {
        Optional<Refusal> invalid = validate(rewardId, d);
        if (invalid.isPresent()) {
            return new Saved.Refused(invalid.get());
        }
        try {
            return putOnce(rewardId, d, actor, now);
        } catch (PgException e) {
            if (!Db.UNIQUE_VIOLATION.equals(e.getSqlState())) {
                throw e;
            }
            return putOnce(rewardId, d, actor, now); // the concurrent creation committed: now an update
        }
    }

    private Saved putOnce(String rewardId, Definition d, String actor, Instant now) {
        return entities.inTransaction(() -> rewards.findById(rewardId, LockModeType.PESSIMISTIC_WRITE).chain(found -> {
            if (found == null) {
                Reward created = new Reward();
                created.rewardId = rewardId;
                created.stock = d.initialStock();
                created.createdAt = now;
                apply(created, d, actor, now);
                return rewards.persistAndFlush(created).map(ok -> (Saved) new Saved.Done(created.view(), true));
            }
            apply(found, d, actor, now);
            return rewards.flush().map(ok -> (Saved) new Saved.Done(found.view(), false));
        }));
    }

    private static void apply(Reward r, Definition d, String actor, Instant now) {
        r.name = d.name();
        r.cost = d.cost();
        r.perMemberLimit = d.perMemberLimit();
        r.active = d.active();
        r.updatedAt = now;
        r.updatedBy = actor;
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
     * The reward's row is locked first (a redemption's decrement waits for the change), so the
     * stock read is the stock written over.
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
        return entities.inTransaction(() -> rewards.findById(rewardId, LockModeType.PESSIMISTIC_WRITE).chain(reward -> {
            if (reward == null) {
                return Uni.createFrom().item((StockChanged) new StockChanged.Refused(new Refusal.RewardNotFound(rewardId)));
            }
            return changes.findById(new RewardStockChange.Key(rewardId, reference)).chain(prior -> {
                if (prior != null) {
                    return Uni.createFrom().item(fingerprint.equals(prior.requestFingerprint)
                            ? new StockChanged.Done(prior.stockAfter, true)
                            : new StockChanged.Refused(new Refusal.ReferenceAlreadyUsed(null, null)));
                }
                if (reward.stock == null) {
                    return Uni.createFrom().item((StockChanged) new StockChanged.Refused(
                            new Refusal.InvalidRewardField("delta", "this reward has unlimited stock")));
                }
                long stock = reward.stock;
                long after = stock + delta;
                if (after < 0) {
                    return Uni.createFrom().item((StockChanged) new StockChanged.Refused(
                            new Refusal.OutOfStock(rewardId, -delta, stock)));
                }
                reward.stock = after;
                reward.updatedAt = now;
                reward.updatedBy = actor;
                RewardStockChange change = new RewardStockChange();
                change.rewardId = rewardId;
                change.reference = reference;
                change.delta = delta;
                change.stockAfter = after;
                change.requestFingerprint = fingerprint;
                change.createdAt = now;
                change.actorSub = actor;
                return changes.persistAndFlush(change).map(ok -> (StockChanged) new StockChanged.Done(after, false));
            });
        }));
    }

    public RewardReceipts.Rewards list() {
        List<Reward> all = entities.read(() -> rewards.listAll(Sort.by("rewardId")));
        return new RewardReceipts.Rewards(all.stream().map(Reward::view).toList());
    }
}
