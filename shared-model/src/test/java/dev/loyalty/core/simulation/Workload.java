package dev.loyalty.core.simulation;

import dev.loyalty.core.EntryKind;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Seeded random operations over a few members, aimed at boundaries: amounts of exactly what is
 * available and one more, holds captured for exactly their amount and one more, reversals of
 * exactly what is reversible and one more, clocks moved to exactly the next expiry, plus a
 * sprinkling of invalid input, unknown ids and other members' ids. Reads the reference model
 * only to aim; the same seed always yields the same operations against the same model.
 */
final class Workload {

    static final List<String> TYPES = List.of("PURCHASE", "SIGN_IN", "PROMO", "BONUS");

    /** A hold the workload placed, as both sides know it. */
    record HoldHandle(String member, long points, UUID modelId, UUID sutId) {
    }

    /** A redemption the workload made, as both sides know it. */
    record RedemptionHandle(String member, UUID modelId, UUID sutId) {
    }

    private final Random random;
    /**
     * Purchases and returns draw from their own stream, and a step that makes one draws nothing
     * from {@link #random}: the other operations of a seed stay what they were before they came.
     */
    private final Random returns;
    final List<String> members = new ArrayList<>();
    final String ghost;
    /** The run's reward, and the redemptions made so far (the simulation appends them). */
    final String reward;
    final List<RedemptionHandle> redemptions = new ArrayList<>();

    Workload(long seed) {
        this.random = new Random(seed);
        this.returns = new Random(seed * 31 + 18);
        int count = 3 + random.nextInt(4);
        // Seed-prefixed ids let runs share one database without cleaning up.
        for (int i = 1; i <= count; i++) {
            members.add("s" + seed + "-m" + i);
        }
        ghost = "s" + seed + "-ghost";
        reward = "s" + seed + "-reward";
    }

    /** A write that was applied, at {@code step}: what retries are made of. */
    record Applied(int step, Op op) {
    }

    Op next(int step, Instant now, ReferenceModel model, List<HoldHandle> holds, Instant lastExpireAt,
            List<Applied> applied) {
        int program = returns.nextInt(100);
        if (program < 6) {
            return purchase(step);
        }
        if (program < 12) {
            return returnOf(step, model);
        }
        String ref = random.nextInt(100) < 2 ? "bad ref" : "op-" + step;
        String member = pick(members);
        if (!applied.isEmpty() && random.nextInt(100) < 8) {
            return retry(pick(applied), holds);
        }
        if (random.nextInt(100) < 5 && model.exists(member)) {
            return adjust(member, model.available(member, now), ref);
        }
        // Rarely: close an account (or try to close one again, the same or another way).
        if (random.nextInt(1000) < 4 && model.exists(member)) {
            int r = random.nextInt(10);
            return new Op.Close(member, r == 0 ? " " : "closed " + (r % 3), r < 5 ? "close-" + member : ref);
        }
        int roll = random.nextInt(100);
        // A member exists from its first earn; without this most early steps would only say MEMBER_NOT_FOUND.
        if (!model.exists(member) && random.nextInt(100) < 75) {
            roll = 0;
        }
        if (roll < 20) {
            return new Op.Earn(member, earnPoints(), random.nextInt(100) < 3 ? "NOPE" : pick(TYPES), ref);
        }
        if (roll < 33) {
            return new Op.Redeem(member, amount(model.available(member, now)), ref);
        }
        if (roll < 44) {
            return new Op.PlaceHold(member, amount(model.available(member, now)), ref, ttlSeconds());
        }
        if (roll < 54) {
            return capture(now, model, holds, member);
        }
        if (roll < 58) {
            int hold = pickHold(holds, now, model);
            return new Op.Void(hold == Op.UNKNOWN || random.nextInt(10) == 0 ? member : holds.get(hold).member(), hold);
        }
        if (roll < 70) {
            return reverse(member, ref, model);
        }
        if (roll < 80) {
            int r = random.nextInt(100);
            String to = r < 8 ? member : r < 16 ? ghost : r < 20 ? "bad id!" : pickOther(member);
            return new Op.Transfer(member, to, amount(model.available(member, now)), ref);
        }
        if (roll >= 86 && random.nextInt(100) < 45) {
            return redemption(member, ref);
        }
        if (roll < 86) {
            // One sweep per second: EXPIRE references are "expire:" + epoch second.
            if (lastExpireAt != null && lastExpireAt.getEpochSecond() == now.getEpochSecond()) {
                return new Op.Advance(Duration.ofSeconds(1));
            }
            return new Op.Expire();
        }
        return advance(now, model);
    }

    /** The applied write again: half the time exactly, else with one field that changes its effect. */
    private Op retry(Applied original, List<HoldHandle> holds) {
        boolean changed = random.nextBoolean();
        Op op = original.op();
        if (!changed) {
            return new Op.Retry(op, false, original.step());
        }
        Op altered = switch (op) {
            case Op.Earn o -> new Op.Earn(o.member(), other(o.points()), o.type(), o.reference());
            case Op.Redeem o -> new Op.Redeem(o.member(), other(o.points()), o.reference());
            case Op.PlaceHold o -> random.nextBoolean()
                    ? new Op.PlaceHold(o.member(), other(o.points()), o.reference(), o.ttlSeconds())
                    : new Op.PlaceHold(o.member(), o.points(), o.reference(), o.ttlSeconds() == null ? 60L : o.ttlSeconds() == 60L ? 61L : 60L);
            case Op.Capture o -> new Op.Capture(o.member(), o.hold(),
                    other(o.points() == null ? holds.get(o.hold()).points() : o.points()));
            case Op.Reverse o -> new Op.Reverse(o.member(), o.owner(), o.sequence(),
                    o.points() == null ? Long.valueOf(1L) : Long.valueOf(other(o.points())), o.reference());
            case Op.Transfer o -> {
                // Another recipient (the bug this catches: a replay that ignores it) or another amount.
                List<String> others = members.stream().filter(m -> !m.equals(o.from()) && !m.equals(o.to())).toList();
                yield others.isEmpty() || random.nextBoolean()
                        ? new Op.Transfer(o.from(), o.to(), other(o.points()), o.reference())
                        : new Op.Transfer(o.from(), pick(others), o.points(), o.reference());
            }
            case Op.Adjust o -> new Op.Adjust(o.member(), o.points() > 0 ? other(o.points()) : -other(-o.points()),
                    o.type(), o.reference(), o.reason());
            case Op.Void o -> null; // a void has nothing to change
            case Op.RedeemReward o -> {
                int q = o.quantity() == null ? 1 : o.quantity();
                yield new Op.RedeemReward(o.member(), o.rewardId(), q == 1 ? 2 : q - 1, o.reference());
            }
            case Op.Fulfil o -> null; // nothing to change
            case Op.CancelRedemption o -> null;
            case Op.Retry o -> throw new IllegalStateException("not a write: " + op);
            case Op.Purchase o -> new Op.Purchase(o.member(), o.amount() + 100, o.reference());
            case Op.Return o -> new Op.Return(o.member(), o.originalReference(),
                    o.amount() == null ? Long.valueOf(1L) : Long.valueOf(o.amount() + 1), o.reference());
            case Op.Close o -> throw new IllegalStateException("closings are not retried: " + op);
            case Op.Expire o -> throw new IllegalStateException("not a write: " + op);
            case Op.Advance o -> throw new IllegalStateException("not a write: " + op);
        };
        return altered == null ? new Op.Retry(op, false, original.step()) : new Op.Retry(altered, true, original.step());
    }

    /** A purchase of 1.00 to 999.99 (now and then an invalid amount or reference). */
    private Op purchase(int step) {
        String member = members.get(returns.nextInt(members.size()));
        int r = returns.nextInt(100);
        long amount = r < 3 ? 0 : r < 10 ? 100 : 100 + returns.nextInt(99_900);
        return new Op.Purchase(member, amount, r == 99 ? "bad ref" : "buy-" + step);
    }

    /**
     * A return of one of the member's purchases: the rest, exactly what is left, one more, a
     * part, or now and then of an unknown purchase, another member's, or under a bad reference.
     */
    private Op returnOf(int step, ReferenceModel model) {
        String member = members.get(returns.nextInt(members.size()));
        List<String> purchases = model.purchases(member);
        int r = returns.nextInt(100);
        if (purchases.isEmpty() || r < 5) {
            return new Op.Return(member, r < 2 ? "buy-404" : "buy-" + Math.max(1, step - 1), null, "ret-" + step);
        }
        String original = purchases.get(returns.nextInt(purchases.size()));
        long returnable = model.returnable(member, original);
        int a = returns.nextInt(100);
        Long amount = a < 30 ? null : a < 45 ? Long.valueOf(Math.max(1, returnable)) : a < 55 ? Long.valueOf(returnable + 1)
                : a < 60 ? Long.valueOf(0) : Long.valueOf(1 + (long) returns.nextInt((int) Math.max(1, Math.min(returnable, 50_000))));
        String who = a == 99 ? members.get((members.indexOf(member) + 1) % members.size()) : member;
        return new Op.Return(who, original, amount, a == 98 ? "bad ref" : "ret-" + step);
    }

    /** A valid amount other than {@code points}. */
    private static long other(long points) {
        return points >= 1_000_000_000L ? points - 1 : points + 1;
    }

    /** A redemption of the run's reward (now and then of none, or an invalid quantity), or a fulfil or cancel of one. */
    private Op redemption(String member, String ref) {
        int r = random.nextInt(100);
        if (r < 55 || redemptions.isEmpty()) {
            int q = random.nextInt(100);
            Integer quantity = q < 4 ? Integer.valueOf(q < 2 ? 0 : 101) : q < 35 ? null : Integer.valueOf(1 + random.nextInt(3));
            return new Op.RedeemReward(member, random.nextInt(100) < 4 ? "no-such-reward" : reward, quantity, ref);
        }
        int index = random.nextInt(100) < 5 ? Op.UNKNOWN : random.nextInt(redemptions.size());
        String who = index == Op.UNKNOWN || random.nextInt(10) == 0 ? member : redemptions.get(index).member();
        return r < 75 ? new Op.Fulfil(who, index) : new Op.CancelRedemption(who, index);
    }

    private Op adjust(String member, long available, String ref) {
        int r = random.nextInt(100);
        String reason = r < 5 ? " " : "support ticket " + r;
        long points = r < 50 ? 1 + random.nextInt(500) : -amount(available);
        if (r >= 95) {
            points = 0;
        }
        return new Op.Adjust(member, points, random.nextInt(100) < 4 ? "NOPE" : pick(TYPES), ref, reason);
    }

    private Op capture(Instant now, ReferenceModel model, List<HoldHandle> holds, String fallbackMember) {
        int hold = pickHold(holds, now, model);
        if (hold == Op.UNKNOWN) {
            return new Op.Capture(fallbackMember, hold, random.nextBoolean() ? null : 1L);
        }
        HoldHandle handle = holds.get(hold);
        // Now and then another member names this hold: it must not be found.
        String member = random.nextInt(10) == 0 ? pickOther(handle.member()) : handle.member();
        long capturable = model.capturable(handle.member(), handle.modelId(), now);
        int r = random.nextInt(100);
        Long points;
        if (r < 35) {
            points = null;
        } else if (r < 50) {
            points = handle.points();
        } else if (r < 60) {
            points = handle.points() + 1;
        } else if (r < 80) {
            points = 1 + (long) random.nextInt((int) Math.min(handle.points(), Integer.MAX_VALUE));
        } else if (r < 95 && capturable >= 0 && capturable < handle.points()) {
            points = capturable + 1; // just over what the lots still cover
        } else {
            points = random.nextBoolean() ? 0L : capturable > 0 ? capturable : 1L;
        }
        return new Op.Capture(member, hold, points);
    }

    private Op reverse(String member, String ref, ReferenceModel model) {
        int r = random.nextInt(100);
        String owner = r < 10 ? pickOther(member) : member;
        List<ReferenceModel.MEntry> entries = model.entries(owner);
        if (r >= 90 || entries.isEmpty()) {
            return new Op.Reverse(member, owner, 0, random.nextBoolean() ? null : 1L, ref);
        }
        ReferenceModel.MEntry target = entries.get(random.nextInt(entries.size()));
        // Mostly aim at what can be reversed; the rest checks that nothing else can.
        for (int tries = 0; tries < 4 && random.nextInt(100) < 80
                && target.kind != EntryKind.EARN && target.kind != EntryKind.REDEEM; tries++) {
            target = entries.get(random.nextInt(entries.size()));
        }
        long reversible = owner.equals(member) ? model.reversible(owner, target.id) : 0;
        int p = random.nextInt(100);
        Long points;
        if (p < 30) {
            points = null;
        } else if (p < 50) {
            points = Math.max(1, reversible);
        } else if (p < 65) {
            points = reversible + 1;
        } else if (p < 85) {
            points = 1 + (long) random.nextInt((int) Math.min(Math.abs(target.points), Integer.MAX_VALUE));
        } else if (p < 95) {
            points = Math.abs(target.points) + 1;
        } else {
            points = 0L;
        }
        return new Op.Reverse(member, owner, target.sequence, points, ref);
    }

    private Op advance(Instant now, ReferenceModel model) {
        int r = random.nextInt(100);
        if (r < 40) {
            return new Op.Advance(Duration.ofMinutes(1 + random.nextInt(59)));
        }
        if (r < 62) {
            return new Op.Advance(Duration.ofHours(1 + random.nextInt(23)));
        }
        if (r < 82) {
            return new Op.Advance(Duration.ofDays(1 + random.nextInt(40)).plusSeconds(random.nextInt(86_400)));
        }
        Instant deadline = model.nextDeadlineAfter(now);
        if (deadline == null) {
            return new Op.Advance(Duration.ofDays(1));
        }
        Duration toDeadline = Duration.between(now, deadline);
        // Exactly at the deadline (already gone) or one second before (still there).
        if (random.nextBoolean() && toDeadline.getSeconds() > 1) {
            return new Op.Advance(toDeadline.minusSeconds(1));
        }
        return new Op.Advance(toDeadline);
    }

    private long earnPoints() {
        int r = random.nextInt(100);
        if (r < 3) {
            return random.nextBoolean() ? 0 : 1_000_000_001L;
        }
        if (r < 8) {
            return 1;
        }
        if (r < 10) {
            return 1_000_000_000L;
        }
        return 1 + random.nextInt(1000);
    }

    /** An amount to spend or hold when {@code available} can be: often exactly it or one more. */
    private long amount(long available) {
        int r = random.nextInt(100);
        if (r < 25) {
            return Math.max(1, available);
        }
        if (r < 40) {
            return available + 1;
        }
        if (r < 72) {
            return 1 + Math.floorMod(random.nextLong(), Math.max(1, available));
        }
        if (r < 90) {
            return 1 + random.nextInt(300);
        }
        if (r < 95) {
            long[] invalid = {0, -1, 1_000_000_001L};
            return invalid[random.nextInt(invalid.length)];
        }
        return 1_000_000_000L;
    }

    private Long ttlSeconds() {
        // Long holds outlive clock jumps, so captures also meet lots that expired or were reversed under them.
        long[] choices = {1, 60, 300, 3600, 86_400, 86_400, 604_800, 604_800, 604_800, 0, 604_801};
        return random.nextInt(100) < 25 ? null : choices[random.nextInt(choices.length)];
    }

    /** Mostly an active hold (the interesting case), else any hold ever placed, else an unknown id. */
    private int pickHold(List<HoldHandle> holds, Instant now, ReferenceModel model) {
        if (holds.isEmpty() || random.nextInt(100) < 8) {
            return Op.UNKNOWN;
        }
        if (random.nextInt(100) < 80) {
            List<Integer> active = new ArrayList<>();
            for (int i = Math.max(0, holds.size() - 30); i < holds.size(); i++) {
                if (model.capturable(holds.get(i).member(), holds.get(i).modelId(), now) >= 0) {
                    active.add(i);
                }
            }
            if (!active.isEmpty()) {
                return pick(active);
            }
        }
        return random.nextInt(holds.size());
    }

    private String pickOther(String member) {
        String other = pick(members);
        return other.equals(member) ? members.get((members.indexOf(member) + 1) % members.size()) : other;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
