package dev.loyalty.functions.program;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.ReferenceRule;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.core.rules.Award;
import dev.loyalty.core.rules.BusinessEvent;
import dev.loyalty.core.rules.CapCharge;
import dev.loyalty.core.rules.CapPeriod;
import dev.loyalty.core.rules.CapUsage;
import dev.loyalty.core.rules.Evaluation;
import dev.loyalty.core.rules.EvaluationOutcome;
import dev.loyalty.core.rules.EventRule;
import dev.loyalty.core.rules.RuleSet;
import dev.loyalty.core.rules.RulesEngine;
import dev.loyalty.core.rules.Tier;
import dev.loyalty.core.returns.AwardReturn;
import dev.loyalty.core.returns.ReturnCommand;
import dev.loyalty.core.returns.ReturnOutcome;
import dev.loyalty.core.returns.ReturnRules;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.SpendRules;
import dev.loyalty.core.tiers.QualifyingDay;
import dev.loyalty.core.tiers.TierDecision;
import dev.loyalty.functions.tiers.MemberTiers;
import dev.loyalty.functions.store.Actor;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Business events: validate (pure, before touching the database), then one transaction of two
 * round trips: (1) create/lock the account, the event's reference, whether the account is
 * closed, the rule set in force at occurredAt and the cap usage of its periods; (2) the awards,
 * the cap usage, the event row and the outbox, with COMMIT. A simulation runs the same rules
 * on the same reads and writes nothing.
 */
@ApplicationScoped
public class EventService {
    private final Db db;
    private final LedgerStore store;
    private final LedgerWriter writer;
    private final RuleSets ruleSets;
    private final PointTypeCatalog catalog;
    private final Clock clock;
    private final MemberTiers tiers;
    private final TierSets tierSets;

    public EventService(Db db, LedgerStore store, LedgerWriter writer, RuleSets ruleSets, PointTypeCatalog catalog,
                        Clock clock, MemberTiers tiers, TierSets tierSets) {
        this.db = db;
        this.store = store;
        this.writer = writer;
        this.ruleSets = ruleSets;
        this.catalog = catalog;
        this.clock = clock;
        this.tiers = tiers;
        this.tierSets = tierSets;
    }

    public EventResult record(BusinessEvent event) {
        Instant now = clock.instant();
        return validThenInTransaction(RulesEngine.validate(event, now), tx -> apply(tx, event, now));
    }

    /** A refusal of the request's own fields answers at once; otherwise one transaction, whose refusals answer too. */
    private EventResult validThenInTransaction(Optional<Refusal> invalid, java.util.function.Function<Tx, EventResult> work) {
        if (invalid.isPresent()) {
            return new EventResult.Refused(invalid.get());
        }
        try {
            return db.inTransaction(work);
        } catch (Rejected r) {
            return new EventResult.Refused(r.refusal);
        }
    }

    /**
     * The reference rule on an event's (or a return's) reference, then the closing: the same
     * request again answers as it did first; another request under the reference, or a write to
     * a closed account ({@code closedAt} not null), is refused (thrown); empty: go on.
     */
    private static Optional<EventResult> replayOrRefuse(MemberId member, Optional<LedgerStore.StoredEvent> prior,
                                                        Instant closedAt, String fingerprint) {
        if (prior.isPresent()) {
            LedgerStore.StoredEvent p = prior.get();
            return Optional.of(switch (ReferenceRule.decide(Optional.of(new ReferenceRule.Prior(p.firstTransactionId(), null,
                    p.fingerprint())), fingerprint)) {
                case ReferenceRule.Replay r -> new EventResult.AlreadyRecorded(new JsonObject(p.answerJson()).getMap());
                case ReferenceRule.Conflict c -> throw new Rejected(c.refusal());
                case ReferenceRule.Fresh f -> throw new IllegalStateException("a prior was given");
            });
        }
        Optional<Refusal> closed = SpendRules.requireOpen(member, closedAt);
        if (closed.isPresent()) {
            throw new Rejected(closed.get());
        }
        return Optional.empty();
    }

    /** Runs inside the caller's transaction (the API's, or one queue record's). */
    public EventResult apply(Tx tx, BusinessEvent event, Instant now) {
        return apply(tx, event, now, null);
    }

    /**
     * As {@link #apply(Tx, BusinessEvent, Instant)}, evaluated with {@code rules} instead of the
     * published version in force at occurredAt when given (the seeded simulation's fixed rule:
     * its clock runs in the past, where no published version could be added). Round trip 1
     * (with BEGIN), every statement keyed by the one member: create/lock the account, the
     * event's reference, the closing, the rule set and tier set in force at occurredAt, the cap
     * usage of its periods, the member's tier state; then {@link #decideAndWrite}.
     */
    public EventResult apply(Tx tx, BusinessEvent event, Instant now, RuleSets.Version rules) {
        MemberId member = new MemberId(event.memberId());
        Instant occurredAt = occurredAt(event, now);
        writer.openAccount(tx, member, now);
        var locked = store.lockAccount(tx, member);
        var priorRead = store.businessEvent(tx, member, event.reference());
        var closure = store.closure(tx, member);
        var version = rules != null ? null : ruleSets.inForce(tx, occurredAt);
        Map<CapPeriod, LocalDate> starts = periodStarts(occurredAt);
        var usage = store.capUsage(tx, member, starts);
        // The member's tier state and the tier set in force now; the set in force at occurredAt
        // gives the multiplier.
        MemberTiers.Reads tierReads = tiers.read(tx, List.of(member), now);
        var tierSetAtOccurrence = tierSets.inForce(tx, occurredAt);
        tx.flush();
        Map<LedgerStore.CapSlot, CapUsage.Used> used = new HashMap<>();
        usage.get().used().forEach((k, u) -> used.put(new LedgerStore.CapSlot(member, k.ruleId(), k.period(),
                starts.get(k.period())), u));
        Actor actor = Actor.current();
        BatchReads reads = new BatchReads(Map.of(member, locked.get().orElseThrow()),
                priorRead.get().map(p -> Map.of(key(event), p)).orElse(Map.of()),
                closure.get().map(c -> Map.of(member, c.closedAt())).orElse(Map.of()),
                at -> rules != null ? rules : version.get(), at -> tierSetAtOccurrence.get(), used, tierReads);
        return decideAndWrite(tx, List.of(new BatchItem(event, actor == null ? null : actor.requestId())), reads, now).get(0);
    }

    /** One business event of a queue batch, with the request id its rows carry (its SQS message id). */
    public record BatchItem(BusinessEvent event, String requestId) {
    }

    /**
     * Applies a queue batch's business events (validated) inside the caller's transaction in two
     * round trips whatever their number, each event answered exactly as {@link #apply} one after
     * the other would answer it. Round trip 1 (with BEGIN): create and lock every account (member
     * id order), every event's reference, the closings, the rule set and tier set versions in
     * force over the batch's occurredAt range, the cap usage of every (member, period) the
     * events fall in, every member's tier state. Then the rules decide each event in
     * {@code items} order, carrying each member's running balance, cap usage and tier from one
     * of its events to the next; round trip 2 writes everything ({@link LedgerWriter#eventsRecorded}).
     * Results are in {@code items} order. A refusal (or two events under one reference) throws
     * {@link Rejected}: the caller rolls the batch back and applies one event per transaction.
     */
    public List<EventResult> applyBatch(Tx tx, List<BatchItem> items, Instant now) {
        if (items.isEmpty()) {
            return List.of();
        }
        List<MemberId> members = items.stream().map(i -> new MemberId(i.event().memberId())).toList();
        Instant from = items.stream().map(i -> occurredAt(i.event(), now)).min(Instant::compareTo).orElseThrow();
        Instant to = items.stream().map(i -> occurredAt(i.event(), now)).max(Instant::compareTo).orElseThrow();
        var opened = writer.openAccounts(tx, members, now);
        var priors = store.businessEvents(tx, members, items.stream().map(i -> i.event().reference()).toList());
        var closings = store.closings(tx, members);
        var rules = ruleSets.inForceOver(tx, from, to);
        java.util.Set<LedgerStore.CapSlot> slots = new java.util.LinkedHashSet<>();
        for (BatchItem i : items) {
            periodStarts(occurredAt(i.event(), now)).forEach((period, start) ->
                    slots.add(new LedgerStore.CapSlot(new MemberId(i.event().memberId()), "", period, start)));
        }
        var usage = store.capUsages(tx, slots.stream().map(LedgerStore.CapSlot::member).toList(),
                slots.stream().map(LedgerStore.CapSlot::period).toList(), slots.stream().map(LedgerStore.CapSlot::start).toList());
        MemberTiers.Reads tierReads = tiers.read(tx, members, now);
        var tierSetsOver = tierSets.inForceOver(tx, from, to);
        tx.flush();
        BatchReads reads = new BatchReads(opened.get(), priors.get(), closings.get(), at -> rules.get().at(at),
                at -> tierSetsOver.get().at(at), usage.get(), tierReads);
        return decideAndWrite(tx, items, reads, now);
    }

    /** What round trip 1 read, for one event or a batch. */
    private record BatchReads(Map<MemberId, AccountState> accounts, Map<String, LedgerStore.StoredEvent> priors,
                              Map<MemberId, Instant> closedAt, java.util.function.Function<Instant, RuleSets.Version> rulesAt,
                              java.util.function.Function<Instant, TierSets.Version> tierSetAt,
                              Map<LedgerStore.CapSlot, CapUsage.Used> usage, MemberTiers.Reads tiers) {
    }

    private static String key(BusinessEvent event) {
        return event.memberId() + "#" + event.reference();
    }

    private static Instant occurredAt(BusinessEvent event, Instant now) {
        return event.occurredAt() == null ? now : event.occurredAt();
    }

    /**
     * The rules on each event in order (the reference rule and the closing, the rules engine
     * with the member's tier before the event at its multiplier in the tier set in force at
     * occurredAt, the awards as ledger effects, the tier decided after them), each member's
     * running account, cap usage and tier carried from one of its events to the next; then one
     * write of everything, queued for the caller's last round trip.
     */
    private List<EventResult> decideAndWrite(Tx tx, List<BatchItem> items, BatchReads reads, Instant now) {
        Map<MemberId, AccountState> running = new HashMap<>(reads.accounts());
        Map<MemberId, AccountState> after = new HashMap<>();
        Map<LedgerStore.CapSlot, CapUsage.Used> usage = new HashMap<>(reads.usage());
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<LedgerWriter.EventWrite> writes = new ArrayList<>();
        List<EventResult> results = new ArrayList<>(items.size());
        for (BatchItem item : items) {
            BusinessEvent event = item.event();
            MemberId member = new MemberId(event.memberId());
            Instant occurredAt = occurredAt(event, now);
            String fingerprint = RequestFingerprint.businessEvent(event);
            if (!seen.add(key(event))) {
                // Two events under one reference: one transaction per event decides (the first wins).
                throw new Rejected(new Refusal.ReferenceAlreadyUsed(null, null));
            }
            Optional<EventResult> answered = replayOrRefuse(member, Optional.ofNullable(reads.priors().get(key(event))),
                    reads.closedAt().get(member), fingerprint);
            if (answered.isPresent()) {
                results.add(answered.get());
                continue;
            }
            AccountState before = running.get(member);
            RuleSets.Version v = reads.rulesAt().apply(occurredAt);
            // The tier before this event's awards: the crossing award earns with the old multiplier.
            TierDecision.Outcome current = tiers.current(reads.tiers(), member, now);
            Tier tier = MemberTiers.ruleTier(current.tier(), reads.tierSetAt().apply(occurredAt).tierSet());
            Evaluation evaluation = switch (RulesEngine.evaluate(v.ruleSet(), v.version(), tier,
                    usageAt(usage, member, periodStarts(occurredAt)), event, occurredAt, catalog.programZone())) {
                case EvaluationOutcome.Refused r -> throw new Rejected(r.refusal());
                case EvaluationOutcome.Evaluated e -> e.evaluation();
            };
            EventRule.Outcome.Applied applied = switch (EventRule.apply(before, event, evaluation, occurredAt, now, catalog,
                    UUID::randomUUID)) {
                case EventRule.Outcome.Refused r -> throw new Rejected(r.refusal());
                case EventRule.Outcome.Applied a -> a;
            };
            List<QualifyingDay> earned = new ArrayList<>();
            for (EventRule.Credited c : applied.credits()) {
                earned.add(new QualifyingDay(tiers.day(c.entry().occurredAt()), c.entry().pointType(), c.entry().points()));
            }
            TierDecision.Written decided = tiers.decide(reads.tiers(), member, earned, now);
            Map<String, Object> answer = answer(event, v.version(), new Tier(decided.after().tier().name(),
                    tier.earnMultiplierBp()), applied.credits(), applied.after().balance());
            writes.add(new LedgerWriter.EventWrite(event, occurredAt, applied, evaluation, v.version(), fingerprint,
                    Json.encode(answer), item.requestId(), earned, MemberTiers.write(member, reads.tiers().set(), decided)));
            // What the member's next event of the batch sees, as if this one were written and read again.
            running.put(member, applied.after());
            if (!applied.credits().isEmpty()) {
                after.put(member, applied.after());
            }
            for (CapCharge c : evaluation.charges()) {
                usage.merge(new LedgerStore.CapSlot(member, c.ruleId(), c.period(), c.periodStart()),
                        new CapUsage.Used(c.points(), c.events()),
                        (a, b) -> new CapUsage.Used(Math.addExact(a.points(), b.points()), Math.addExact(a.events(), b.events())));
            }
            tiers.carry(reads.tiers(), member, earned, decided, now);
            results.add(new EventResult.Recorded(answer));
        }
        writer.eventsRecorded(tx, writes, reads.accounts(), after, now);
        return results;
    }

    /** The member's usage of every capped rule in the periods that start at {@code starts} (its event's). */
    private static CapUsage usageAt(Map<LedgerStore.CapSlot, CapUsage.Used> usage, MemberId member,
                                    Map<CapPeriod, LocalDate> starts) {
        Map<CapUsage.Key, CapUsage.Used> used = new HashMap<>();
        usage.forEach((slot, u) -> {
            if (slot.member().equals(member) && slot.start().equals(starts.get(slot.period()))) {
                used.put(new CapUsage.Key(slot.ruleId(), slot.period()), u);
            }
        });
        return new CapUsage(used);
    }

    // ---- returns

    /** A return (API): validate (pure), then one transaction of two round trips, as {@link #record}. */
    public EventResult recordReturn(ReturnCommand command) {
        Instant now = clock.instant();
        return validThenInTransaction(ReturnRules.validate(command, now), tx -> applyReturn(tx, command, now));
    }

    /**
     * Runs inside the caller's transaction (the API's, or one queue record's). Round trip 1
     * (with BEGIN): the account lock, the return's reference, the closing, the purchase with its
     * awards, lots and returned total, and the member's open lots and HELD holds; round trip 2:
     * the outcome's writes with COMMIT. A member with no account has no purchase: EVENT_NOT_FOUND.
     */
    public EventResult applyReturn(Tx tx, ReturnCommand command, Instant now) {
        MemberId member = new MemberId(command.memberId());
        String fingerprint = RequestFingerprint.returnEvent(command);
        var locked = store.lockAccount(tx, member);
        var priorRead = store.businessEvent(tx, member, command.reference());
        var closure = store.closure(tx, member);
        var purchaseRead = store.purchase(tx, member, command.originalReference());
        var snapshotRead = store.snapshot(tx, member);
        MemberTiers.Reads tierReads = tiers.read(tx, List.of(member), now);
        tx.flush();
        Optional<EventResult> answered = replayOrRefuse(member, priorRead.get(),
                closure.get().map(LedgerStore.Closure::closedAt).orElse(null), fingerprint);
        if (answered.isPresent()) {
            return answered.get();
        }
        Optional<AccountState> account = locked.get();
        MemberState state = snapshotRead.get()
                .map(s -> new MemberState(account.orElseThrow(), s.openLots(), s.heldHolds()))
                .orElse(MemberState.empty(member));
        Optional<LedgerStore.StoredPurchase> purchase = account.isEmpty() ? Optional.empty() : purchaseRead.get();
        ReturnOutcome.Returned returned = switch (ReturnRules.apply(state, command,
                purchase.map(LedgerStore.StoredPurchase::purchase), now, UUID::randomUUID)) {
            case ReturnOutcome.Refused r -> throw new Rejected(r.refusal());
            case ReturnOutcome.Returned r -> r;
        };
        Map<String, Object> answer = returnAnswer(command, returned);
        writer.returned(tx, state.account(), command, returned, purchase.orElseThrow().rulesVersion(), fingerprint,
                Json.encode(answer), now);
        // Qualifying points drop by what the return took back of each award (contract: "what the
        // return took back"; the shortfall is not taken back, and a later reversal of the award
        // that recovers it takes its qualifying points back then, so nothing is taken back twice).
        List<QualifyingDay> takenBack = returned.awards().stream().filter(a -> a.fromOwnLot() + a.fromOtherLots() > 0)
                .map(a -> new QualifyingDay(tiers.day(a.award().occurredAt()), a.award().pointType(),
                        a.fromOwnLot() + a.fromOtherLots())).toList();
        if (!takenBack.isEmpty()) {
            tiers.takenBack(tx, tierReads, member, takenBack, now);
        }
        return new EventResult.Recorded(answer);
    }

    static Map<String, Object> returnAnswer(ReturnCommand command, ReturnOutcome.Returned r) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("memberId", command.memberId());
        answer.put("event", RulesEngine.RETURN_EVENT);
        answer.put("reference", command.reference());
        answer.put("originalReference", command.originalReference());
        answer.put("amount", r.amount());
        answer.put("returnedSoFar", r.returnedSoFar());
        answer.put("points", r.points());
        answer.put("shortfall", r.shortfall());
        answer.put("balance", r.after().balance());
        answer.put("transactionIds", r.entries().stream().map(e -> e.entryId().toString()).toList());
        List<Object> awards = new ArrayList<>();
        for (AwardReturn a : r.awards()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ruleId", a.award().ruleId());
            m.put("pointType", a.award().pointType());
            m.put("awardTransactionId", a.award().entryId().toString());
            m.put("points", -a.taken());
            m.put("fromOwnLot", a.fromOwnLot());
            m.put("fromOtherLots", a.fromOtherLots());
            m.put("shortfall", a.shortfall());
            m.put("transactionId", a.entry() == null ? null : a.entry().entryId().toString());
            awards.add(m);
        }
        answer.put("awards", awards);
        return answer;
    }

    /**
     * What {@code /events} would answer for this event, with the published rules in force at its
     * occurredAt or {@code draft}, the member's real cap usage, and {@code asked} (null: the member's
     * own tier, with the multiplier of the tier set in force at occurredAt); nothing is
     * written (the transaction is rolled back).
     */
    public EventResult simulate(BusinessEvent event, RuleSet draft, Tier asked) {
        Instant now = clock.instant();
        Optional<Refusal> invalid = RulesEngine.validate(event, now);
        if (invalid.isPresent()) {
            return new EventResult.Refused(invalid.get());
        }
        MemberId member = new MemberId(event.memberId());
        Instant occurredAt = event.occurredAt() == null ? now : event.occurredAt();
        try {
            return db.inTransaction(tx -> {
                var account = tx.laterOne("SELECT balance, version FROM accounts WHERE member_id = $1",
                        r -> new AccountState(member, r.getLong("balance"), r.getLong("version")), member.value());
                var version = ruleSets.inForce(tx, occurredAt);
                var usage = store.capUsage(tx, member, periodStarts(occurredAt));
                MemberTiers.Reads tierReads = tiers.read(tx, List.of(member), now);
                var tierSetAtOccurrence = tierSets.inForce(tx, occurredAt);
                tx.flush();
                AccountState state = account.get().orElse(AccountState.empty(member));
                // No tier asked for: the member's own, as /events would use it.
                Tier tier = asked != null ? asked
                        : MemberTiers.ruleTier(tiers.current(tierReads, member, now).tier(), tierSetAtOccurrence.get().tierSet());
                RuleSet rules = draft != null ? draft : version.get().ruleSet();
                long versionNumber = draft != null ? 0 : version.get().version();
                Evaluation evaluation = switch (RulesEngine.evaluate(rules, versionNumber, tier, usage.get(), event,
                        occurredAt, catalog.programZone())) {
                    case EvaluationOutcome.Refused r -> throw new Rejected(r.refusal());
                    case EvaluationOutcome.Evaluated e -> e.evaluation();
                };
                EventRule.Outcome.Applied applied = switch (EventRule.apply(state, event, evaluation, occurredAt, now,
                        catalog, UUID::randomUUID)) {
                    case EventRule.Outcome.Refused r -> throw new Rejected(r.refusal());
                    case EventRule.Outcome.Applied a -> a;
                };
                Map<String, Object> answer = answer(event, draft != null ? null : versionNumber, tier, applied.credits(),
                        applied.after().balance());
                // A dry run: ids are illustrative and nothing is stored.
                for (Object a : (List<?>) answer.get("awards")) {
                    ((Map<?, ?>) a).remove("transactionId");
                }
                answer.put("simulated", true);
                // Roll back: a simulation writes nothing, not even the reads' snapshot.
                throw new Simulated(answer);
            });
        } catch (Simulated s) {
            return new EventResult.Recorded(s.answer);
        } catch (Rejected r) {
            return new EventResult.Refused(r.refusal);
        }
    }

    Map<CapPeriod, LocalDate> periodStarts(Instant occurredAt) {
        Map<CapPeriod, LocalDate> starts = new EnumMap<>(CapPeriod.class);
        for (CapPeriod p : CapPeriod.values()) {
            starts.put(p, p.start(occurredAt, catalog.programZone()));
        }
        return starts;
    }

    static Map<String, Object> answer(BusinessEvent event, Long rulesVersion, Tier tier, List<EventRule.Credited> credits,
                                      long balance) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("memberId", event.memberId());
        answer.put("event", event.event());
        answer.put("reference", event.reference());
        answer.put("points", credits.stream().mapToLong(c -> c.award().points()).sum());
        answer.put("balance", balance);
        answer.put("rulesVersion", rulesVersion);
        answer.put("tier", tier.name());
        List<Object> awards = new ArrayList<>();
        for (EventRule.Credited c : credits) {
            Award a = c.award();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ruleId", a.ruleId());
            m.put("pointType", a.pointType());
            m.put("points", a.points());
            m.put("capped", a.capped());
            m.put("variant", a.variant());
            m.put("transactionId", c.entry().entryId().toString());
            Map<String, Object> lot = new LinkedHashMap<>();
            lot.put("lotId", c.lot().lotId().toString());
            lot.put("points", c.lot().originalPoints());
            lot.put("expiresAt", c.lot().expiresAt() == null ? null : c.lot().expiresAt().toString());
            lot.put("pendingUntil", c.lot().pendingUntil() == null ? null : c.lot().pendingUntil().toString());
            m.put("lot", lot);
            awards.add(m);
        }
        answer.put("awards", awards);
        return answer;
    }

    /** Carries a refusal out of a transaction so that it rolls back. */
    public static final class Rejected extends RuntimeException {
        public final Refusal refusal;

        Rejected(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }
    }

    private static final class Simulated extends RuntimeException {
        final Map<String, Object> answer;

        Simulated(Map<String, Object> answer) {
            super("simulated", null, false, false);
            this.answer = answer;
        }
    }
}
