package dev.loyalty.functions.tiers;

import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.rules.Tier;
import dev.loyalty.core.tiers.QualifyingDay;
import dev.loyalty.core.tiers.QualifyingPoints;
import dev.loyalty.core.tiers.TierDecision;
import dev.loyalty.core.tiers.TierLevel;
import dev.loyalty.core.tiers.TierSet;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The adapter between writes and the tier core: queues the reads a decision needs (the members'
 * tier state and the tier set in force now) into the caller's first round trip, asks
 * {@link TierDecision}, and queues what it decided through the {@link LedgerWriter} into the
 * caller's last round trip. It decides nothing itself.
 */
@ApplicationScoped
public class MemberTiers {
    private final LedgerStore store;
    private final LedgerWriter writer;
    private final TierSets tierSets;
    private final PointTypeCatalog catalog;

    public MemberTiers(LedgerStore store, LedgerWriter writer, TierSets tierSets, PointTypeCatalog catalog) {
        this.store = store;
        this.writer = writer;
        this.tierSets = tierSets;
        this.catalog = catalog;
    }

    /** What a write queued in its first round trip; read it after the flush. */
    public static final class Reads {
        private final Tx.Deferred<Map<MemberId, LedgerStore.TierState>> states;
        private final Tx.Deferred<TierSets.Version> set;
        /** States decided by earlier writes of the same transaction (a queue batch), not yet written. */
        private final Map<MemberId, LedgerStore.TierState> carried = new java.util.HashMap<>();

        Reads(Tx.Deferred<Map<MemberId, LedgerStore.TierState>> states, Tx.Deferred<TierSets.Version> set) {
            this.states = states;
            this.set = set;
        }

        public TierSets.Version set() {
            return set.get();
        }

        /** Whether the member has an account. */
        public boolean exists(MemberId member) {
            return states.get().containsKey(member);
        }

        /** The member's stored state; a member whose account is being created in this transaction has none yet. */
        public LedgerStore.TierState state(MemberId member, Instant now) {
            LedgerStore.TierState c = carried.get(member);
            if (c != null) {
                return c;
            }
            LedgerStore.TierState s = states.get().get(member);
            return s != null ? s : new LedgerStore.TierState(member, null, null, null, now, List.of());
        }
    }

    public ZoneId zone() {
        return catalog.programZone();
    }

    /** Queues the tier state of {@code members} and the tier set in force at {@code now}. */
    public Reads read(Tx tx, Collection<MemberId> members, Instant now) {
        var states = store.tierStates(tx, members, QualifyingPoints.day(now, zone()));
        return new Reads(states, tierSets.inForce(tx, now));
    }

    /** The member's tier before a write, as of now (what its awards earn with). */
    public TierDecision.Outcome current(Reads reads, MemberId member, Instant now) {
        LedgerStore.TierState s = reads.state(member, now);
        return TierDecision.read(reads.set().tierSet(), s.record(), s.accountCreatedAt(), s.rows(), now, zone());
    }

    /**
     * The rules engine's tier for an event that occurred at {@code occurredAt}: the member's tier
     * now, with its multiplier in the tier set in force at occurredAt (a late event earns what it
     * would have earned on time); a tier that set does not have earns as that set's lowest.
     */
    public static Tier ruleTier(TierLevel current, TierSet atOccurrence) {
        return atOccurrence.find(current.name()).orElse(atOccurrence.lowest()).asRuleTier();
    }

    /** The day a change of an earn that occurred at {@code occurredAt} falls on. */
    public LocalDate day(Instant occurredAt) {
        return QualifyingPoints.day(occurredAt, zone());
    }

    /** Decides the write's effect on the member's tier (pure, from the reads). */
    public TierDecision.Written decide(Reads reads, MemberId member, List<QualifyingDay> changes, Instant now) {
        LedgerStore.TierState s = reads.state(member, now);
        return TierDecision.onWrite(reads.set().tierSet(), s.record(), s.accountCreatedAt(), s.rows(), changes, now, zone());
    }

    /**
     * Carries a write's decision into {@code reads}, as if it were written and read again: the
     * member's next write in the same transaction (a queue batch's next event) decides from the
     * record it left and the qualifying days with {@code changes} added, exactly as it would in a
     * transaction of its own after this one.
     */
    public void carry(Reads reads, MemberId member, List<QualifyingDay> changes, TierDecision.Written w, Instant now) {
        LedgerStore.TierState s = reads.state(member, now);
        reads.carried.put(member, new LedgerStore.TierState(member, w.after().record(), reads.set().version(), w.reviewAt(),
                s.accountCreatedAt(), QualifyingPoints.apply(s.rows(), changes)));
    }

    /** What a decision writes, for {@link LedgerWriter#tiersEvaluated}. */
    public static LedgerWriter.TierWrite write(MemberId member, TierSets.Version set, TierDecision.Written w) {
        return new LedgerWriter.TierWrite(member, w.after().record(), set.version(), w.reviewAt(), w.changes(),
                w.after().qualifyingPoints());
    }

    /**
     * One member's earns (direct or awards): their qualifying days added, the tier decided and
     * written; returns the decision.
     */
    public TierDecision.Written earned(Tx tx, Reads reads, MemberId member, List<QualifyingDay> earned, Instant now) {
        TierDecision.Written w = decide(reads, member, earned, now);
        writer.qualifyingEarned(tx, Map.of(member, earned));
        writer.tiersEvaluated(tx, List.of(write(member, reads.set(), w)), now);
        return w;
    }

    /**
     * Take-backs (a reversal of an earn; a return, one per award it took back from): each day
     * lowered (never below zero), the tier decided and written; returns the decision.
     */
    public TierDecision.Written takenBack(Tx tx, Reads reads, MemberId member, List<QualifyingDay> takenBack, Instant now) {
        List<QualifyingDay> changes = takenBack.stream()
                .map(d -> new QualifyingDay(d.day(), d.pointType(), -d.points())).toList();
        TierDecision.Written w = decide(reads, member, changes, now);
        takenBack.forEach(d -> writer.qualifyingTakenBack(tx, member, d.day(), d.pointType(), d.points()));
        writer.tiersEvaluated(tx, List.of(write(member, reads.set(), w)), now);
        return w;
    }

    /** A batch's earns, per member in the given order (each member's earns chain). */
    public void earnedBatch(Tx tx, Reads reads, Map<MemberId, List<QualifyingDay>> earned, Instant now) {
        List<LedgerWriter.TierWrite> writes = new ArrayList<>();
        earned.forEach((m, days) -> writes.add(write(m, reads.set(), decide(reads, m, days, now))));
        writes.sort(java.util.Comparator.comparing(w -> w.member().value()));
        writer.qualifyingEarned(tx, earned);
        writer.tiersEvaluated(tx, writes, now);
    }
}
