package dev.loyalty.core.events;

import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.spend.AdjustOutcome;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.CaptureOutcome;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldOutcome;
import dev.loyalty.core.spend.RedeemOutcome;
import dev.loyalty.core.spend.ReversalOutcome;
import dev.loyalty.core.spend.TransferOutcome;
import dev.loyalty.core.spend.VoidOutcome;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What each change tells other systems: a pure function from the core's outcome to its domain
 * events, so the event a consumer reads says exactly what the ledger recorded. One event per
 * change per member: a transfer is one event for the sender and one for the receiver (each in
 * its own member's order). Instants go out as ISO-8601 strings, points as numbers.
 *
 * <p>The expiry sweep writes its {@code points.expired} and {@code hold.released} events in the
 * same set-based statement as the change; {@link #expiredData} and {@link #releasedData} name
 * their fields, and a test holds the SQL to them.
 */
public final class DomainEvents {

    private DomainEvents() {
    }

    public static DomainEvent earned(EarnOutcome.Earned e, Supplier<UUID> ids) {
        Map<String, Object> data = entryData(e.entry());
        data.put("pointType", e.entry().pointType());
        data.put("lot", lot(e.lot()));
        return event(ids, EventType.POINTS_EARNED, e.entry(), data);
    }

    /**
     * A rule's award: {@code points.earned} with the rule id, rule set version, experiment
     * variant (null if none) and the business event's name.
     */
    public static DomainEvent awarded(dev.loyalty.core.rules.EventRule.Credited c, String event, long rulesVersion,
                                      Supplier<UUID> ids) {
        Map<String, Object> data = entryData(c.entry());
        data.put("pointType", c.entry().pointType());
        data.put("lot", lot(c.lot()));
        data.put("ruleId", c.award().ruleId());
        data.put("rulesVersion", rulesVersion);
        data.put("variant", c.award().variant());
        data.put("event", event);
        data.put("capped", c.award().capped());
        return event(ids, EventType.POINTS_EARNED, c.entry(), data);
    }

    public static DomainEvent redeemed(RedeemOutcome.Redeemed r, Supplier<UUID> ids) {
        Map<String, Object> data = entryData(r.entry());
        data.put("allocations", allocations(r.allocations()));
        return event(ids, EventType.POINTS_REDEEMED, r.entry(), data);
    }

    public static DomainEvent holdPlaced(HoldOutcome.HoldPlaced h, Instant now, Supplier<UUID> ids) {
        Map<String, Object> data = holdData(h.hold());
        data.put("expiresAt", h.hold().expiresAt().toString());
        data.put("available", h.availableAfter());
        return new DomainEvent(ids.get(), EventType.HOLD_PLACED, h.hold().memberId(), now, now, data);
    }

    public static DomainEvent captured(CaptureOutcome.Captured c, Supplier<UUID> ids) {
        Map<String, Object> data = holdData(c.hold());
        data.put("transactionId", c.entry().entryId().toString());
        data.put("captured", -c.entry().points());
        data.put("released", c.releasedPoints());
        data.put("balance", c.after().balance());
        data.put("allocations", allocations(c.allocations()));
        return event(ids, EventType.HOLD_CAPTURED, c.entry(), data);
    }

    public static DomainEvent voided(VoidOutcome.Voided v, Instant now, Supplier<UUID> ids) {
        Map<String, Object> data = holdData(v.hold());
        data.put("available", v.availableAfter());
        return new DomainEvent(ids.get(), EventType.HOLD_VOIDED, v.hold().memberId(), now, now, data);
    }

    /** A hold whose time ran out, stored as EXPIRED by a write or the sweep. */
    public static DomainEvent released(Hold expired, Instant now, Supplier<UUID> ids) {
        return new DomainEvent(ids.get(), EventType.HOLD_RELEASED, expired.memberId(), now, now, releasedData(expired));
    }

    public static Map<String, Object> releasedData(Hold hold) {
        Map<String, Object> data = holdData(hold);
        data.put("reason", "EXPIRED");
        return data;
    }

    public static DomainEvent reversed(ReversalOutcome.Reversed r, UUID reversedTransactionId, Supplier<UUID> ids) {
        Map<String, Object> data = entryData(r.entry());
        data.put("reversedTransactionId", reversedTransactionId.toString());
        data.put("allocations", allocations(r.allocations()));
        return event(ids, EventType.POINTS_REVERSED, r.entry(), data);
    }

    /** Two events: the sender's (direction OUT) and the receiver's (IN), each in its member's order. */
    public static List<DomainEvent> transferred(TransferOutcome.Transferred t, Supplier<UUID> ids) {
        Map<String, Object> out = entryData(t.out());
        out.put("direction", "OUT");
        out.put("counterpartyMemberId", t.in().memberId().value());
        out.put("counterpartyTransactionId", t.in().entryId().toString());
        Map<String, Object> in = entryData(t.in());
        in.put("direction", "IN");
        in.put("counterpartyMemberId", t.out().memberId().value());
        in.put("counterpartyTransactionId", t.out().entryId().toString());
        List<Map<String, Object>> lots = new ArrayList<>();
        t.newReceiverLots().forEach(l -> lots.add(lot(l)));
        in.put("lots", lots);
        return List.of(event(ids, EventType.POINTS_TRANSFERRED, t.out(), out),
                event(ids, EventType.POINTS_TRANSFERRED, t.in(), in));
    }

    public static DomainEvent adjusted(AdjustOutcome outcome, Supplier<UUID> ids) {
        return switch (outcome) {
            case AdjustOutcome.Credited c -> {
                Map<String, Object> data = entryData(c.entry());
                data.put("pointType", c.entry().pointType());
                data.put("reason", c.entry().description());
                data.put("lot", lot(c.lot()));
                yield event(ids, EventType.POINTS_ADJUSTED, c.entry(), data);
            }
            case AdjustOutcome.Debited d -> {
                Map<String, Object> data = entryData(d.entry());
                data.put("reason", d.entry().description());
                data.put("allocations", allocations(d.allocations()));
                yield event(ids, EventType.POINTS_ADJUSTED, d.entry(), data);
            }
            case dev.loyalty.core.spend.Refused r -> throw new IllegalArgumentException("a refusal changes nothing");
        };
    }

    /** An account closed: what it forfeited (and by which entry), why, and the holds voided. */
    public static DomainEvent closed(dev.loyalty.core.spend.CloseOutcome.Closed c, dev.loyalty.core.MemberId member,
                                     String reason, Supplier<UUID> ids) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("forfeited", c.forfeited());
        data.put("transactionId", c.forfeiture() == null ? null : c.forfeiture().entryId().toString());
        data.put("reason", reason);
        List<String> holds = new ArrayList<>();
        c.voidedHolds().forEach(h -> holds.add(h.holdId().toString()));
        data.put("voidedHolds", holds);
        return new DomainEvent(ids.get(), EventType.ACCOUNT_CLOSED, member, c.closedAt(), c.closedAt(), data);
    }

    /**
     * A lot that will expire soon ({@code points.expiring}): told once per lot by the daily
     * notices job, with the points it still holds.
     */
    public static DomainEvent expiring(dev.loyalty.core.MemberId member, UUID lotId, String pointType, long remainingPoints,
                                       Instant expiresAt, Instant now, Supplier<UUID> ids) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lotId", lotId.toString());
        data.put("pointType", pointType);
        data.put("points", remainingPoints);
        data.put("expiresAt", expiresAt.toString());
        return new DomainEvent(ids.get(), EventType.POINTS_EXPIRING, member, now, now, data);
    }

    /**
     * A member's tier changed ({@code tier.changed}): from, to, why, when it took effect (a grace
     * that ended before the write or review that records it took effect then), the member's
     * qualifying points when it was recorded and the tier set version that decided it.
     */
    public static DomainEvent tierChanged(dev.loyalty.core.MemberId member, dev.loyalty.core.tiers.TierChange change,
                                          long qualifyingPoints, long tierSetVersion, Instant now, Supplier<UUID> ids) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("from", change.from());
        data.put("to", change.to());
        data.put("reason", change.reason().name());
        data.put("at", change.at().toString());
        data.put("qualifyingPoints", qualifyingPoints);
        data.put("tierSetVersion", tierSetVersion);
        return new DomainEvent(ids.get(), EventType.TIER_CHANGED, member, change.at(), now, data);
    }

    /** The fields of a {@code points.expired} event: the EXPIRE entry's. */
    public static Map<String, Object> expiredData(LedgerEntry expire) {
        return entryData(expire);
    }

    /**
     * {@code points.returned}: one per return, whatever the number of awards: the purchase, the
     * amount returned and returned so far, the points taken back (negative), the shortfall, the
     * RETURN entries, and per award of the purchase what it owed, where it came from and what is
     * missing (with the award's point type and occurredAt, for qualifying points).
     */
    public static DomainEvent returned(dev.loyalty.core.returns.ReturnCommand command,
                                       dev.loyalty.core.returns.ReturnOutcome.Returned r, Instant now, Supplier<UUID> ids) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reference", command.reference());
        data.put("originalReference", command.originalReference());
        data.put("amount", r.amount());
        data.put("returnedSoFar", r.returnedSoFar());
        data.put("points", r.points());
        data.put("shortfall", r.shortfall());
        data.put("balance", r.after().balance());
        List<String> transactionIds = new ArrayList<>();
        r.entries().forEach(e -> transactionIds.add(e.entryId().toString()));
        data.put("transactionIds", transactionIds);
        List<Map<String, Object>> awards = new ArrayList<>();
        for (dev.loyalty.core.returns.AwardReturn a : r.awards()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("awardTransactionId", a.award().entryId().toString());
            m.put("ruleId", a.award().ruleId());
            m.put("pointType", a.award().pointType());
            m.put("awardOccurredAt", a.award().occurredAt().toString());
            m.put("due", a.due());
            m.put("fromOwnLot", a.fromOwnLot());
            m.put("fromOtherLots", a.fromOtherLots());
            m.put("shortfall", a.shortfall());
            m.put("transactionId", a.entry() == null ? null : a.entry().entryId().toString());
            m.put("allocations", allocations(a.allocations()));
            awards.add(m);
        }
        data.put("awards", awards);
        return new DomainEvent(ids.get(), EventType.POINTS_RETURNED, r.after().memberId(), r.occurredAt(), now, data);
    }

    /** {@code redemption.created}: the redemption and the REDEEM that paid for it (its lots in spending order). */
    public static DomainEvent redemptionCreated(dev.loyalty.core.spend.RedemptionOutcome.Created c, Supplier<UUID> ids) {
        Map<String, Object> data = redemptionData(c.redemption());
        data.put("transactionId", c.redeemed().entry().entryId().toString());
        data.put("balance", c.redeemed().entry().balanceAfter());
        data.put("allocations", allocations(c.redeemed().allocations()));
        return event(ids, EventType.REDEMPTION_CREATED, c.redeemed().entry(), data);
    }

    /** {@code redemption.fulfilled}: no points move. */
    public static DomainEvent redemptionFulfilled(dev.loyalty.core.spend.Redemption r, String fulfilmentRef, Instant now,
                                                  Supplier<UUID> ids) {
        Map<String, Object> data = redemptionData(r);
        data.put("transactionId", r.transactionId().toString());
        data.put("fulfilmentRef", fulfilmentRef);
        return new DomainEvent(ids.get(), EventType.REDEMPTION_FULFILLED, r.memberId(), now, now, data);
    }

    /** {@code redemption.cancelled}: the REVERSAL that gave back exactly the lots the redemption spent. */
    public static DomainEvent redemptionCancelled(dev.loyalty.core.spend.CancelOutcome.Cancelled c, Supplier<UUID> ids) {
        Map<String, Object> data = redemptionData(c.redemption());
        data.put("transactionId", c.redemption().transactionId().toString());
        data.put("reversalTransactionId", c.reversal() == null ? null : c.reversal().entry().entryId().toString());
        data.put("balance", c.balanceAfter());
        data.put("reason", c.reversal() == null ? null : c.reversal().entry().description());
        data.put("allocations", c.reversal() == null ? List.of() : allocations(c.reversal().allocations()));
        return new DomainEvent(ids.get(), EventType.REDEMPTION_CANCELLED, c.redemption().memberId(), c.cancelledAt(),
                c.cancelledAt(), data);
    }

    private static Map<String, Object> redemptionData(dev.loyalty.core.spend.Redemption r) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("redemptionId", r.redemptionId().toString());
        data.put("rewardId", r.rewardId());
        data.put("quantity", r.quantity());
        data.put("points", r.points());
        data.put("status", r.status().name());
        data.put("reference", r.reference());
        return data;
    }

    private static Map<String, Object> entryData(LedgerEntry e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("transactionId", e.entryId().toString());
        data.put("kind", e.kind().name());
        data.put("points", e.points());
        data.put("balance", e.balanceAfter());
        data.put("reference", e.reference());
        return data;
    }

    private static Map<String, Object> holdData(Hold h) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("holdId", h.holdId().toString());
        data.put("points", h.points());
        data.put("status", h.status().name());
        data.put("reference", h.reference());
        return data;
    }

    private static Map<String, Object> lot(Lot l) {
        Map<String, Object> lot = new LinkedHashMap<>();
        lot.put("lotId", l.lotId().toString());
        lot.put("pointType", l.pointType());
        lot.put("points", l.originalPoints());
        lot.put("expiresAt", l.expiresAt() == null ? null : l.expiresAt().toString());
        if (l.pendingUntil() != null) {
            lot.put("pendingUntil", l.pendingUntil().toString());
        }
        return lot;
    }

    private static List<Map<String, Object>> allocations(List<Allocation> allocations) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Allocation a : allocations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lotId", a.lotId().toString());
            m.put("points", a.points());
            out.add(m);
        }
        return out;
    }

    private static DomainEvent event(Supplier<UUID> ids, EventType type, LedgerEntry e, Map<String, Object> data) {
        return new DomainEvent(ids.get(), type, e.memberId(), e.occurredAt(), e.recordedAt(), data);
    }

    /**
     * A rule set version was published ({@code program.rules.published}): program-wide, so keyed
     * by {@link dev.loyalty.core.MemberId#PROGRAM}, in the program's own sequence.
     */
    public static DomainEvent rulesPublished(long version, Instant effectiveFrom, String publishedBy, Instant publishedAt,
                                             Supplier<UUID> ids) {
        return published(EventType.PROGRAM_RULES_PUBLISHED, version, effectiveFrom, publishedBy, publishedAt, ids);
    }

    /** A tier set version was published ({@code program.tiers.published}), like {@link #rulesPublished}. */
    public static DomainEvent tiersPublished(long version, Instant effectiveFrom, String publishedBy, Instant publishedAt,
                                             Supplier<UUID> ids) {
        return published(EventType.PROGRAM_TIERS_PUBLISHED, version, effectiveFrom, publishedBy, publishedAt, ids);
    }

    private static DomainEvent published(EventType type, long version, Instant effectiveFrom, String publishedBy,
                                         Instant publishedAt, Supplier<UUID> ids) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("version", version);
        data.put("effectiveFrom", effectiveFrom.toString());
        data.put("publishedBy", publishedBy);
        return new DomainEvent(ids.get(), type, dev.loyalty.core.MemberId.PROGRAM, publishedAt, publishedAt, data);
    }
}
