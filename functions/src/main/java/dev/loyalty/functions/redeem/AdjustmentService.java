package dev.loyalty.functions.redeem;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Limits;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Points;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.SpendOutcome;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Operator corrections: an ADJUSTMENT entry with a reason, visible in the history. Reconcile
 * never fixes anything itself; this is how a discrepancy is corrected, explicitly.
 *
 * <p>A positive adjustment credits a new lot of the given point type (expiry by its policy,
 * as an earn would); a negative one takes points from lots in the spending order (as a redeem
 * would, so it cannot take points that are held). Both reuse the core's rules; only the
 * entry's kind and description differ.
 */
@ApplicationScoped
public class AdjustmentService {
    private final Db db;
    private final LedgerStore store;
    private final SpendService spend;
    private final PointTypeCatalog catalog;
    private final Clock clock;

    public AdjustmentService(Db db, LedgerStore store, SpendService spend, PointTypeCatalog catalog, Clock clock) {
        this.db = db;
        this.store = store;
        this.spend = spend;
        this.catalog = catalog;
        this.clock = clock;
    }

    public record AdjustmentCommand(long points, String type, String reference, String reason) {
    }

    public SpendResult adjust(MemberId member, AdjustmentCommand c) {
        if (c.points() == 0 || Math.abs(c.points()) > Points.MAX_PER_OPERATION) {
            throw ApiException.validation("points", "must be a non-zero whole number of at most 1,000,000,000 either way");
        }
        if (!Limits.isValidReference(c.reference())) {
            throw ApiException.validation("reference", "must be 1 to 128 printable ASCII characters without spaces");
        }
        if (c.reason() == null || c.reason().isBlank() || !Limits.isValidDescription(c.reason())) {
            throw ApiException.validation("reason", "is required, at most 500 characters");
        }
        if (c.points() > 0 && catalog.find(c.type()).isEmpty()) {
            throw new ApiException(ApiError.UNKNOWN_POINT_TYPE, "a credit needs a configured point type",
                    Map.of("errors", java.util.List.of(new dev.loyalty.functions.http.FieldError("type", "unknown point type"))));
        }
        return db.inTransaction(tx -> {
            Instant now = clock.instant();
            Optional<AccountState> account = store.lockAccount(tx, member);
            if (account.isEmpty()) {
                return new SpendResult.Problem(ApiError.MEMBER_NOT_FOUND, "member " + member + " has no account", Map.of());
            }
            Optional<LedgerEntry> prior = store.findByReference(tx, member, EntryKind.ADJUSTMENT, c.reference());
            if (prior.isPresent()) {
                return prior.get().points() == c.points()
                        ? new SpendResult.Done(201, receipt(prior.get()), true)
                        : new SpendResult.Problem(ApiError.REFERENCE_ALREADY_USED, "this adjustment reference was used before",
                        Map.of("transactionId", prior.get().entryId()));
            }
            if (c.points() > 0) {
                EarnOutcome outcome = EarnRule.apply(account.get(), new EarnCommand(member.value(), c.points(), c.type(),
                        c.reference(), null, null), now, catalog, UUID::randomUUID);
                if (outcome instanceof EarnOutcome.Earned e) {
                    LedgerEntry entry = asAdjustment(e.entry(), c.reason());
                    store.insertEntry(tx, entry);
                    store.insertLot(tx, e.lot(), entry.entryId());
                    store.updateAccount(tx, account.get(), e.after(), now);
                    return new SpendResult.Done(201, receipt(entry), false);
                }
                throw new ApiException(ApiError.VALIDATION_FAILED, ((EarnOutcome.Rejected) outcome).message());
            }
            var state = spend.load(tx, member, now, Set.of(), null);
            SpendOutcome outcome = SpendRules.redeem(state, new RedeemCommand(-c.points(), c.reference(), null), now,
                    UUID::randomUUID);
            if (outcome instanceof SpendOutcome.Redeemed r) {
                LedgerEntry entry = asAdjustment(r.entry(), c.reason());
                store.insertEntry(tx, entry);
                r.changedLots().forEach(l -> store.updateLotRemaining(tx, l));
                store.insertAllocations(tx, member, entry.entryId(), r.allocations());
                store.updateAccount(tx, account.get(), r.after(), now);
                return new SpendResult.Done(201, receipt(entry), false);
            }
            return new SpendResult.Refused((SpendOutcome.Rejected) outcome);
        });
    }

    private static LedgerEntry asAdjustment(LedgerEntry e, String reason) {
        return new LedgerEntry(e.entryId(), e.memberId(), e.sequence(), EntryKind.ADJUSTMENT, e.points(), e.balanceAfter(),
                e.pointType(), e.reference(), reason, e.occurredAt(), e.recordedAt());
    }

    private static Receipts.Transaction receipt(LedgerEntry e) {
        return new Receipts.Transaction(e.entryId(), e.points(), e.balanceAfter());
    }
}
