package dev.loyalty.functions.earn;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.ReferenceRule;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;
import dev.loyalty.core.tiers.QualifyingDay;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.tiers.MemberTiers;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Applies an earn in one transaction: lock (or create) the account, refuse a second entry for
 * the same reference, let the core decide, then write entry, lot and balance together.
 */
@ApplicationScoped
public class EarnService {
    private final Db db;
    private final LedgerStore store;
    private final LedgerWriter writer;
    private final PointTypeCatalog catalog;
    private final Clock clock;
    private final MemberTiers tiers;

    public EarnService(Db db, LedgerStore store, LedgerWriter writer, PointTypeCatalog catalog, Clock clock,
                       MemberTiers tiers) {
        this.db = db;
        this.store = store;
        this.writer = writer;
        this.catalog = catalog;
        this.clock = clock;
        this.tiers = tiers;
    }

    public EarnResult earn(EarnCommand command) {
        Instant now = clock.instant();
        // Validate before touching the database: a rejected command must change nothing,
        // not even create the member's account row.
        if (!MemberId.isValid(command.memberId())) {
            return new EarnResult.Refused(new Refusal.InvalidMemberId("memberId", command.memberId()));
        }
        MemberId member = new MemberId(command.memberId());
        EarnOutcome precheck = EarnRule.apply(AccountState.empty(member), command, now, catalog, UUID::randomUUID);
        if (precheck instanceof EarnOutcome.Refused r) {
            return new EarnResult.Refused(r.refusal());
        }
        try {
            return db.inTransaction(tx -> apply(tx, member, command, now));
        } catch (RejectedInTransaction r) {
            return new EarnResult.Refused(r.rejection);
        }
    }

    /** Runs inside the caller's transaction; also used by the batch (queue) path. */
    public EarnResult apply(Tx tx, MemberId member, EarnCommand command, Instant now) {
        String fingerprint = RequestFingerprint.earn(command);
        // Round trip 1 (with BEGIN): create the account if needed, lock it, look the reference up.
        writer.openAccount(tx, member, now);
        var locked = store.lockAccount(tx, member);
        var priorRead = store.findByReference(tx, member, EntryKind.EARN, command.reference());
        var closure = store.closure(tx, member);
        // The member's tier state rides along (its qualifying days and record, the tier set in force).
        MemberTiers.Reads tierReads = tiers.read(tx, List.of(member), now);
        tx.flush();
        Optional<LedgerStore.StoredEntry> prior = priorRead.get();
        if (prior.isPresent()) {
            return replay(tx, prior.get(), fingerprint);
        }
        Optional<Refusal> closed = SpendRules.requireOpen(member, closure.get().map(LedgerStore.Closure::closedAt).orElse(null));
        if (closed.isPresent()) {
            throw new RejectedInTransaction(closed.get());
        }
        AccountState state = locked.get().orElseThrow();
        EarnOutcome outcome = EarnRule.apply(state, command, now, catalog, UUID::randomUUID);
        return switch (outcome) {
            case EarnOutcome.Refused r -> {
                // Only a state-dependent rule (balance overflow) can get here; the transaction
                // is rolled back by the caller throwing, so the account row created above goes too.
                throw new RejectedInTransaction(r.refusal());
            }
            case EarnOutcome.Earned e -> {
                writer.earned(tx, state, e, fingerprint, now);
                tiers.earned(tx, tierReads, member, List.of(qualifying(e.entry())), now);
                yield new EarnResult.Applied(receipt(e.entry(), e.lot()));
            }
        };
    }

    /** One earn of a batch. */
    public record BatchItem(MemberId member, EarnCommand command, String requestId) {
        public BatchItem(MemberId member, EarnCommand command) {
            this(member, command, null);
        }
    }

    /**
     * Applies many earns inside the caller's transaction with a fixed number of statements,
     * whatever the batch size: create and lock every account (member id order), look up every
     * reference at once, let the core decide each earn in turn (several earns of one member
     * chain through its running state), then insert all entries, all lots and move all
     * accounts in one statement each. Results are in {@code items} order. A rejection (only
     * balance overflow can get here) throws {@link RejectedInTransaction}: the caller rolls the
     * whole batch back and falls back to one transaction per earn, exactly as with
     * {@link #apply}.
     */
    public List<EarnResult> applyBatch(Tx tx, List<BatchItem> items, Instant now) {
        if (items.isEmpty()) {
            return List.of();
        }
        // Round trip 1 (with BEGIN): create and lock every account, look every reference up.
        var opened = writer.openAccounts(tx, items.stream().map(BatchItem::member).toList(), now);
        var found = store.findByReferences(tx, EntryKind.EARN,
                items.stream().map(BatchItem::member).toList(), items.stream().map(i -> i.command().reference()).toList());
        var closedRead = store.closedMembers(tx, items.stream().map(BatchItem::member).toList());
        MemberTiers.Reads tierReads = tiers.read(tx, items.stream().map(BatchItem::member).toList(), now);
        tx.flush();
        java.util.Set<MemberId> closed = closedRead.get();
        Map<MemberId, AccountState> before = opened.get();
        Map<String, LedgerStore.StoredEntry> priors = found.get();
        Map<MemberId, AccountState> running = new HashMap<>(before);
        Map<MemberId, AccountState> after = new HashMap<>();
        List<EarnOutcome.Earned> earned = new ArrayList<>();
        List<String> fingerprints = new ArrayList<>();
        List<String> requestIds = new ArrayList<>();
        Map<String, String> batchFingerprints = new HashMap<>();
        List<EarnResult> results = new ArrayList<>(items.size());
        for (BatchItem item : items) {
            String key = item.member().value() + "#" + item.command().reference();
            String fingerprint = RequestFingerprint.earn(item.command());
            LedgerStore.StoredEntry prior = priors.get(key);
            if (prior != null) {
                results.add(replay(tx, prior, fingerprint));
                continue;
            }
            if (closed.contains(item.member())) {
                // A closed account takes no more earns: the batch falls back to one transaction
                // per record, where this one is refused (and parked by the queue).
                throw new RejectedInTransaction(new Refusal.AccountClosed(item.member(), null));
            }
            if (batchFingerprints.containsKey(key)) {
                // A duplicate inside the batch: the unique index would refuse the second insert, so
                // the batch falls back to one transaction per record, where the first one wins.
                throw new RejectedInTransaction(new Refusal.ReferenceAlreadyUsed(null, null));
            }
            EarnOutcome outcome = EarnRule.apply(running.get(item.member()), item.command(), now, catalog, UUID::randomUUID);
            switch (outcome) {
                case EarnOutcome.Refused r -> throw new RejectedInTransaction(r.refusal());
                case EarnOutcome.Earned e -> {
                    earned.add(e);
                    fingerprints.add(fingerprint);
                    requestIds.add(item.requestId());
                    batchFingerprints.put(key, fingerprint);
                    running.put(item.member(), e.after());
                    after.put(item.member(), e.after());
                    results.add(new EarnResult.Applied(receipt(e.entry(), e.lot())));
                }
            }
        }
        writer.earnedBatch(tx, earned, fingerprints, requestIds, before, after, now);
        Map<MemberId, List<QualifyingDay>> days = new java.util.TreeMap<>(java.util.Comparator.comparing(MemberId::value));
        for (EarnOutcome.Earned e : earned) {
            days.computeIfAbsent(e.entry().memberId(), m -> new ArrayList<>()).add(qualifying(e.entry()));
        }
        tiers.earnedBatch(tx, tierReads, days, now);
        return results;
    }

    /** What an earn adds to qualification: its points of its type on its occurredAt day. */
    private QualifyingDay qualifying(LedgerEntry entry) {
        return new QualifyingDay(tiers.day(entry.occurredAt()), entry.pointType(), entry.points());
    }

    /** The reference rule: the same request is answered as it was first, another one refused. */
    private EarnResult replay(Tx tx, LedgerStore.StoredEntry prior, String fingerprint) {
        return switch (ReferenceRule.decide(Optional.of(prior.prior()), fingerprint)) {
            case ReferenceRule.Replay r -> {
                LedgerEntry entry = prior.entry();
                var lotRead = store.lotOfEntry(tx, entry.memberId(), entry.entryId());
                tx.flush();
                Lot lot = lotRead.get().orElseThrow();
                yield new EarnResult.AlreadyApplied(receipt(entry, lot));
            }
            case ReferenceRule.Conflict c -> new EarnResult.Refused(c.refusal());
            case ReferenceRule.Fresh f -> throw new IllegalStateException("a prior was given");
        };
    }

    static EarnReceipt receipt(LedgerEntry entry, Lot lot) {
        return new EarnReceipt(entry.entryId(), entry.memberId().value(), entry.points(), entry.balanceAfter(),
                new EarnReceipt.LotView(lot.lotId(), lot.originalPoints(), lot.expiresAt()));
    }

    /** Carries a rejection out of a transaction so that it rolls back. */
    public static final class RejectedInTransaction extends RuntimeException {
        public final Refusal rejection;

        RejectedInTransaction(Refusal rejection) {
            super(rejection.message(), null, false, false);
            this.rejection = rejection;
        }
    }
}
