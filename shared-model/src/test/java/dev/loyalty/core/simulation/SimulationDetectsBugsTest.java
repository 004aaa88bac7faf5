package dev.loyalty.core.simulation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checker that never fails proves nothing: each row plants a bug a storage adapter could
 * plausibly have and requires the simulation to catch it within a few seeds, naming the seed.
 */
class SimulationDetectsBugsTest {

    /** Passes everything to the core ledger; each bug overrides one method. */
    static class Delegating implements LedgerUnderTest {
        final CoreLedger core;

        Delegating(long seed) {
            core = new CoreLedger(seed);
        }

        /** A core ledger whose tiers run by {@code actual} while it claims {@link Simulation#TIERS}. */
        Delegating(long seed, dev.loyalty.core.tiers.TierSet actual) {
            core = new CoreLedger(dev.loyalty.core.PointTypeCatalog.defaults(java.time.ZoneOffset.UTC), seed, actual);
        }

        public dev.loyalty.core.tiers.TierSet tierSet() { return Simulation.TIERS; }
        public TierReading tier(String m, Instant now) { return core.tier(m, now); }

        public OpResult earn(String m, long p, String t, String r, Instant now) { return core.earn(m, p, t, r, now); }
        public OpResult redeem(String m, long p, String r, Instant now) { return core.redeem(m, p, r, now); }
        public OpResult hold(String m, long p, String r, Long ttl, Instant now) { return core.hold(m, p, r, ttl, now); }
        public OpResult capture(String m, UUID h, Long p, Instant now) { return core.capture(m, h, p, now); }
        public OpResult voidHold(String m, UUID h, Instant now) { return core.voidHold(m, h, now); }
        public OpResult reverse(String m, UUID t, Long p, String r, Instant now) { return core.reverse(m, t, p, r, now); }
        public OpResult transfer(String f, String t, long p, String r, Instant now) { return core.transfer(f, t, p, r, now); }
        public OpResult adjust(String m, long p, String t, String r, String why, Instant now) { return core.adjust(m, p, t, r, why, now); }
        public OpResult close(String m, String why, String r, Instant now) { return core.close(m, why, r, now); }
        public OpResult purchase(String m, long a, String r, Instant now) { return core.purchase(m, a, r, now); }
        public OpResult returnPurchase(String m, String o, Long a, String r, Instant now) { return core.returnPurchase(m, o, a, r, now); }
        public OpResult expire(Instant now) { return core.expire(now); }
        public Snapshot snapshot(String m, Instant now) { return core.snapshot(m, now); }
        public void defineReward(String id, Instant now) { core.defineReward(id, now); }
        public OpResult redeemReward(String m, String id, Integer q, String r, Instant now) { return core.redeemReward(m, id, q, r, now); }
        public OpResult fulfil(String m, UUID id, Instant now) { return core.fulfil(m, id, now); }
        public OpResult cancelRedemption(String m, UUID id, Instant now) { return core.cancelRedemption(m, id, now); }
        public long rewardStock(String id) { return core.rewardStock(id); }
    }

    record Bug(String name, LongFunction<LedgerUnderTest> ledger) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bug> bugs() {
        return Stream.of(
                new Bug("void answers ok but is not saved", seed -> new Delegating(seed) {
                    @Override
                    public OpResult voidHold(String m, UUID h, Instant now) {
                        // The lookup succeeds, the UPDATE matches no row, and nobody checks the count.
                        boolean found = core.snapshot(m, now).holds().stream().anyMatch(x -> x.holdId().equals(h));
                        return found ? OpResult.ok(h) : core.voidHold(m, h, now);
                    }
                }),
                new Bug("hold lasts one second too long", seed -> new Delegating(seed) {
                    @Override
                    public OpResult hold(String m, long p, String r, Long ttl, Instant now) {
                        return core.hold(m, p, r, ttl == null ? null : ttl + 1, now);
                    }
                }),
                new Bug("snapshot reads only lots with points left", seed -> new Delegating(seed) {
                    @Override
                    public Snapshot snapshot(String m, Instant now) {
                        Snapshot s = core.snapshot(m, now);
                        List<Snapshot.LotView> nonEmpty = s.lots().stream().filter(l -> l.remainingPoints() > 0).toList();
                        return new Snapshot(s.memberId(), s.exists(), s.balance(), s.available(), s.held(), nonEmpty,
                                s.entries(), s.holds());
                    }
                }),
                new Bug("a partial return takes back the whole award", seed -> new Delegating(seed) {
                    @Override
                    public OpResult returnPurchase(String m, String o, Long a, String r, Instant now) {
                        // The all-or-nothing clawback the issue warns about: the amount is ignored.
                        return core.returnPurchase(m, o, null, r, now);
                    }
                }),
                new Bug("a snapshot counts pending points as available", seed -> new Delegating(seed) {
                    @Override
                    public Snapshot snapshot(String m, Instant now) {
                        Snapshot s = core.snapshot(m, now);
                        long pending = s.lots().stream().filter(l -> l.pendingUntil() != null && now.isBefore(l.pendingUntil())
                                && (l.expiresAt() == null || now.isBefore(l.expiresAt()))).mapToLong(Snapshot.LotView::remainingPoints).sum();
                        return new Snapshot(s.memberId(), s.exists(), s.balance(), Math.max(0, s.available() + pending), s.held(),
                                s.lots(), s.entries(), s.holds());
                    }
                }),
                new Bug("sweep answers ok without expiring anything", seed -> new Delegating(seed) {
                    @Override
                    public OpResult expire(Instant now) {
                        return OpResult.ok(null);
                    }
                }),
                new Bug("a transfer's replay ignores the recipient", seed -> new Delegating(seed) {
                    // The bug of issue 12: a reused reference answered from the first transfer
                    // whenever the points match, so the caller believes another member got them.
                    final java.util.Map<String, Object[]> sent = new java.util.HashMap<>();

                    @Override
                    public OpResult transfer(String f, String t, long p, String r, Instant now) {
                        Object[] first = sent.get(f + " " + r);
                        if (first != null && (long) first[0] == p) {
                            return OpResult.ok((UUID) first[1]);
                        }
                        OpResult result = core.transfer(f, t, p, r, now);
                        if (result.ok()) {
                            sent.putIfAbsent(f + " " + r, new Object[]{p, result.id()});
                        }
                        return result;
                    }
                }),
                new Bug("a redeem's reused reference is applied again", seed -> new Delegating(seed) {
                    final java.util.Set<String> used = new java.util.HashSet<>();

                    @Override
                    public OpResult redeem(String m, long p, String r, Instant now) {
                        // Checks the reference only for the exact same request, so a changed one spends again.
                        OpResult result = core.redeem(m, p, used.add(m + " " + r + " " + p) ? r : r + "-again", now);
                        return result;
                    }
                }),
                new Bug("a closed account still takes redeems", seed -> new Delegating(seed) {
                    final java.util.Set<String> closed = new java.util.HashSet<>();

                    @Override
                    public OpResult close(String m, String why, String r, Instant now) {
                        OpResult result = core.close(m, why, r, now);
                        if (result.ok()) {
                            closed.add(m);
                        }
                        return result;
                    }

                    @Override
                    public OpResult redeem(String m, long p, String r, Instant now) {
                        // Forgets the closing: answers as if the member had nothing, instead of ACCOUNT_CLOSED.
                        OpResult result = core.redeem(m, p, r, now);
                        return closed.contains(m) && !result.ok() && result.code().equals("ACCOUNT_CLOSED")
                                ? OpResult.insufficient(0) : result;
                    }
                }),
                new Bug("insufficient reports the balance, not what is available", seed -> new Delegating(seed) {
                    @Override
                    public OpResult redeem(String m, long p, String r, Instant now) {
                        OpResult result = core.redeem(m, p, r, now);
                        return result.ok() || !result.code().equals("INSUFFICIENT_POINTS") ? result
                                : OpResult.insufficient(core.snapshot(m, now).balance());
                    }
                }),
                new Bug("tiers drop without the grace days", seed -> new Delegating(seed, withTiers(
                        Simulation.TIERS.window(), Simulation.TIERS.pointTypes(), 0))),
                new Bug("the qualifying window is the calendar year, not twelve rolling months", seed -> new Delegating(seed,
                        withTiers(dev.loyalty.core.tiers.QualifyingWindow.CALENDAR_YEAR, Simulation.TIERS.pointTypes(),
                                Simulation.TIERS.graceDays()))),
                new Bug("sign-ins do not qualify", seed -> new Delegating(seed, withTiers(Simulation.TIERS.window(),
                        java.util.Set.of("PURCHASE"), Simulation.TIERS.graceDays()))),
                new Bug("a reversal of an earn does not take back qualifying points", seed -> new Delegating(seed) {
                    final CoreLedger untouched = new CoreLedger(seed);

                    @Override
                    public OpResult earn(String m, long p, String t, String r, Instant now) {
                        untouched.earn(m, p, t, r, now);
                        return core.earn(m, p, t, r, now);
                    }

                    @Override
                    public TierReading tier(String m, Instant now) {
                        // Qualification read from a twin that saw the earns but never the reversals.
                        return untouched.tier(m, now);
                    }
                }),
                new Bug("a take-back's drop is recorded as GRACE_ENDED, not RETURN", seed -> new Delegating(seed) {
                    @Override
                    public TierReading tier(String m, Instant now) {
                        TierReading r = core.tier(m, now);
                        return new TierReading(r.qualifyingPoints(), r.tier(),
                                r.history().stream().map(h -> h.replace(":RETURN@", ":GRACE_ENDED@")).toList());
                    }
                }),
                new Bug("a cancel of a cancelled redemption refunds it again", seed -> new Delegating(seed) {
                    final java.util.Set<UUID> cancelled = new java.util.HashSet<>();

                    @Override
                    public OpResult cancelRedemption(String m, UUID id, Instant now) {
                        OpResult result = core.cancelRedemption(m, id, now);
                        if (result.ok() && !cancelled.add(id)) {
                            // The status check forgotten: the points go back a second time (as an adjustment).
                            core.adjust(m, LedgerUnderTest.REWARD_COST, "BONUS", "again-" + id, "refund", now);
                        }
                        return result;
                    }
                }));
    }

    static dev.loyalty.core.tiers.TierSet withTiers(dev.loyalty.core.tiers.QualifyingWindow window, java.util.Set<String> types,
                                                    int graceDays) {
        return new dev.loyalty.core.tiers.TierSet(window, types, Simulation.TIERS.tiers(), graceDays);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bugs")
    void isCaughtWithItsSeed(Bug bug) {
        AssertionError failure = assertThrows(AssertionError.class, () -> {
            for (long seed = 1; seed <= 400; seed++) {
                Simulation.run(seed, 200, bug.ledger().apply(seed));
            }
        });
        assertTrue(failure.getMessage().startsWith("SIMULATION FAILED seed="), failure.getMessage());
        assertTrue(failure.getMessage().contains(" step=") && failure.getMessage().contains(" op="), failure.getMessage());
    }
}
