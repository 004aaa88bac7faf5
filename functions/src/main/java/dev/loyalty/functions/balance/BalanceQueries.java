package dev.loyalty.functions.balance;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.SpendingOrder;
import dev.loyalty.core.tiers.TierChange;
import dev.loyalty.core.tiers.TierDecision;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.tiers.MemberTiers;
import dev.loyalty.functions.store.LedgerStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Read side: balance and history. Expired lots never count as available, swept or not; pending
 * lots (a rule's return window) count in the balance and in {@code pending}, not as available.
 */
@ApplicationScoped
public class BalanceQueries {
    /** How many upcoming expiry dates the balance lists. */
    public static final int EXPIRING_DATES_MAX = 5;

    private final Db db;
    private final LedgerStore store;
    private final MemberTiers tiers;

    public BalanceQueries(Db db, LedgerStore store, MemberTiers tiers) {
        this.db = db;
        this.store = store;
        this.tiers = tiers;
    }

    public Optional<BalanceView> balance(MemberId member, Instant now) {
        return db.read(tx -> {
            var pending = store.snapshot(tx, member);
            // The tier as of now in the same round trip: its state and the tier set in force.
            MemberTiers.Reads tierReads = tiers.read(tx, List.of(member), now);
            tx.flush();
            Optional<LedgerStore.Snapshot> snapshot = pending.get();
            if (snapshot.isEmpty()) {
                return Optional.<BalanceView>empty();
            }
            Optional<AccountState> account = Optional.of(snapshot.get().account());
            List<Lot> lots = snapshot.get().openLots();
            long held = snapshot.get().heldHolds().stream().filter(h -> h.isActiveAt(now))
                    .mapToLong(h -> h.points()).reduce(0L, Math::addExact);
            long spendable = SpendingOrder.available(lots, now);
            Map<String, Long> byType = new TreeMap<>();
            TreeMap<Instant, Long> expiring = new TreeMap<>();
            for (Lot lot : lots) {
                if (!lot.isSpendableAt(now)) {
                    continue;
                }
                byType.merge(lot.pointType(), lot.remainingPoints(), Math::addExact);
                if (lot.expiresAt() != null) {
                    expiring.merge(lot.expiresAt(), lot.remainingPoints(), Math::addExact);
                }
            }
            List<BalanceView.Expiring> next = new ArrayList<>();
            expiring.entrySet().stream().limit(EXPIRING_DATES_MAX)
                    .forEach(e -> next.add(new BalanceView.Expiring(e.getValue(), e.getKey())));
            TierDecision.Outcome tier = tiers.current(tierReads, member, now);
            return Optional.of(new BalanceView(member.value(), account.get().balance(), Math.max(0, spendable - held),
                    held, SpendingOrder.pending(lots, now), byType, next,
                    new TierView.Summary(tier.tier().name(), tier.qualifyingPoints())));
        });
    }

    /**
     * The member's tier exactly as of now (a grace that has ended shows the lower tier before the
     * review records it), with its recorded history plus the changes not recorded yet; empty for
     * an unknown member. One round trip.
     */
    public Optional<TierView> tier(MemberId member, Instant now) {
        return db.read(tx -> {
            MemberTiers.Reads tierReads = tiers.read(tx, List.of(member), now);
            var history = store.tierHistory(tx, member);
            tx.flush();
            if (!tierReads.exists(member)) {
                return Optional.<TierView>empty();
            }
            TierDecision.Outcome o = tiers.current(tierReads, member, now);
            List<TierView.Change> items = new ArrayList<>();
            for (TierChange c : history.get()) {
                items.add(new TierView.Change(c.from(), c.to(), c.at(), c.reason().name()));
            }
            for (TierChange c : o.changes()) {
                items.add(new TierView.Change(c.from(), c.to(), c.at(), c.reason().name()));
            }
            TierView.Next next = o.next() == null ? null : new TierView.Next(o.next().name(), o.pointsNeeded());
            return Optional.of(new TierView(member.value(), o.tier().name(), o.qualifyingPoints(), next,
                    o.record().since(), o.downgradeAt(), items));
        });
    }

    /** One page, newest first; fetches one extra row to know whether there is a next page. */
    /** {@code audit}: include who made each entry (admin readers only). */
    public Optional<HistoryPage> history(MemberId member, LedgerStore.HistoryFilter filter, Long beforeSequence, int limit,
                                         boolean audit) {
        return db.read(tx -> {
            // One round trip: the page and the account (which tells "no such member" (404) from
            // "no entries match" (an empty page)) go together.
            var page0 = store.history(tx, member, filter, beforeSequence, limit + 1);
            var account = store.findAccount(tx, member);
            tx.flush();
            List<LedgerStore.HistoryRow> rows = page0.get();
            if (rows.isEmpty() && account.get().isEmpty()) {
                return Optional.<HistoryPage>empty();
            }
            boolean more = rows.size() > limit;
            List<LedgerStore.HistoryRow> page = more ? rows.subList(0, limit) : rows;
            List<HistoryPage.Item> items = page.stream().map(h -> item(h, audit)).toList();
            String next = more ? HistoryCursor.encode(page.get(page.size() - 1).entry().sequence()) : null;
            return Optional.of(new HistoryPage(items, next));
        });
    }

    /** The window's statement; empty for an unknown member, {@link TooManyEntries} past the bound. */
    /** {@code audit}: include who made each entry (admin readers only). */
    public Optional<StatementView> statement(MemberId member, Instant from, Instant to, int maxItems, boolean audit) {
        return db.read(tx -> store.statement(tx, member, from, to, maxItems).map(rows -> {
            if (rows.count() > maxItems) {
                throw new TooManyEntries(rows.count());
            }
            return new StatementView(member.value(), from, to, rows.openingBalance(),
                    rows.entries().stream().map(h -> item(h, audit)).toList(), rows.closingBalance());
        }));
    }

    /** A statement window holding more entries than one answer may carry. */
    public static final class TooManyEntries extends RuntimeException {
        public final long count;

        TooManyEntries(long count) {
            super(count + " entries", null, false, false);
            this.count = count;
        }
    }

    static HistoryPage.Item item(LedgerStore.HistoryRow row, boolean audit) {
        LedgerEntry e = row.entry();
        boolean show = audit && row.actor() != null;
        return new HistoryPage.Item(e.entryId(), e.kind().name(), e.points(), e.balanceAfter(), e.pointType(),
                e.reference(), e.occurredAt(), e.recordedAt(), e.description(),
                show ? new HistoryPage.ActorView(row.actor().sub(), row.actor().source()) : null,
                show ? row.actor().requestId() : null);
    }
}
