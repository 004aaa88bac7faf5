package dev.loyalty.functions.queue;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.reference.RequestFingerprint;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.JsonBody;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.store.Actor;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.DependencyUnavailableException;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Applies a whole SQS batch of earn events.
 *
 * <ol>
 *   <li>Each record is parsed and checked by the core. One that can never succeed (bad JSON,
 *       failed schema, unknown type, bad member id, its reference reused with another payload)
 *       is parked with its raw body and reason, and acknowledged: never retried, never dropped.</li>
 *   <li>A record's reference inside the batch: the first copy carries it, an identical later
 *       copy (the same request fingerprint) is a duplicate, a different one is parked as
 *       REFERENCE_ALREADY_USED.</li>
 *   <li>The records are applied in ONE PostgreSQL transaction with a fixed number of set-based
 *       statements ({@link EarnService#applyBatch}), locking members in member id order (so
 *       concurrent batches lock in the same order), sharing one commit. The ledger transaction
 *       is the idempotency check (the contract's Queue section): the unique (member, kind,
 *       reference) is read under the members' row locks and written in the same transaction, so
 *       a redelivered record is answered from the ledger (a duplicate, or parked when its
 *       payload differs), and a second invocation racing on the same records waits on the locks
 *       and then sees the first one's entries. No per-record call to the idempotency table. If
 *       any record fails inside the batch, it falls back to one transaction per record.</li>
 *   <li>Only transient failures (a dependency down, a conflict) are reported back to SQS.</li>
 * </ol>
 */
@ApplicationScoped
public class QueueEarnService {
    private static final Logger LOG = Logger.getLogger(QueueEarnService.class);
    static final Set<String> FIELDS = Set.of("memberId", "points", "type", "reference", "occurredAt", "description",
            "expiresAt");

    private final Db db;
    private final EarnService earn;
    private final Requests requests;
    private final ParkedMessages parked;
    private final PointTypeCatalog catalog;
    private final Clock clock;
    private final dev.loyalty.functions.program.EventService events;

    private final QueueConfig config;

    public QueueEarnService(Db db, EarnService earn, Requests requests, ParkedMessages parked, PointTypeCatalog catalog,
                            Clock clock, dev.loyalty.functions.program.EventService events, QueueConfig config) {
        this.events = events;
        this.config = config;
        this.db = db;
        this.earn = earn;
        this.requests = requests;
        this.parked = parked;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** The outcome counts of one batch, for logs and tests. */
    public record BatchReport(int records, int applied, int duplicates, int parked, List<String> retry, boolean batched) {
    }

    private record Valid(SqsEvent.Record record, MemberId member, EarnCommand command, String key, String fingerprint) {
    }

    /**
     * A record with an {@code event} field: a business event for the program's rules, or with
     * {@code event: "return"} a return ({@code returned} set, {@code event} null).
     */
    private record ValidEvent(SqsEvent.Record record, dev.loyalty.core.rules.BusinessEvent event,
                              dev.loyalty.core.returns.ReturnCommand returned, String key, String fingerprint) {
        String memberId() {
            return returned != null ? returned.memberId() : event.memberId();
        }

        String reference() {
            return returned != null ? returned.reference() : event.reference();
        }

        /** Inside the caller's transaction. */
        dev.loyalty.functions.program.EventResult apply(dev.loyalty.functions.program.EventService events,
                                                         dev.loyalty.functions.store.Tx tx, Instant now) {
            return returned != null ? events.applyReturn(tx, returned, now) : events.apply(tx, event, now);
        }

        /** In a transaction of its own. */
        dev.loyalty.functions.program.EventResult record(dev.loyalty.functions.program.EventService events) {
            return returned != null ? events.recordReturn(returned) : events.record(event);
        }
    }

    static final Set<String> RETURN_FIELDS = Set.of("memberId", "event", "reference", "originalReference", "amount",
            "occurredAt", "description");

    static final Set<String> EVENT_FIELDS = Set.of("memberId", "event", "reference", "occurredAt", "amount", "currency",
            "attributes", "description");

    /** The audit trail's actor of queue records: each entry carries its SQS message id. */
    static final Actor ACTOR = new Actor("earn-queue", Actor.QUEUE, null);

    public BatchReport process(SqsEvent event) {
        return Actor.as(ACTOR, () -> processAs(event));
    }

    private BatchReport processAs(SqsEvent event) {
        Instant now = clock.instant();
        List<SqsEvent.Record> records = event == null || event.records() == null ? List.of() : event.records();
        List<ParkedMessages.Parked> toPark = new ArrayList<>();
        Set<String> retry = new LinkedHashSet<>();
        Map<String, String> fingerprints = new HashMap<>();
        int duplicates = 0;
        // Parse everything first, and settle duplicates inside the batch: the first copy of a
        // reference carries it, an identical later copy is a duplicate, a different one conflicts.
        List<Valid> unique = new ArrayList<>();
        List<ValidEvent> businessEvents = new ArrayList<>();
        Map<String, String> eventFingerprints = new HashMap<>();
        for (SqsEvent.Record record : records) {
            if (isBusinessEvent(record)) {
                ValidEvent e = parseEvent(record, now, toPark);
                if (e == null) {
                    continue;
                }
                switch (copy(eventFingerprints, e.key(), e.fingerprint())) {
                    case FIRST -> businessEvents.add(e);
                    case SAME -> duplicates++;
                    case DIFFERENT -> toPark.add(park(record, e.memberId(), Refusal.REFERENCE_ALREADY_USED,
                            "reference " + e.reference() + " is used by a different event in the same batch", now));
                }
                continue;
            }
            Valid valid = parse(record, now, toPark);
            if (valid == null) {
                continue;
            }
            switch (copy(fingerprints, valid.key(), valid.fingerprint())) {
                case FIRST -> unique.add(valid);
                case SAME -> duplicates++;
                case DIFFERENT -> toPark.add(park(record, valid.member().value(), Refusal.REFERENCE_ALREADY_USED,
                        "reference " + valid.command().reference() + " is used by a different earn in the same batch", now));
            }
        }
        long parsedAt = System.nanoTime();
        Applied earned = apply(unique, now, toPark, retry);
        Applied recorded = applyEvents(businessEvents, now, toPark, retry);
        Applied applied = new Applied(earned.count + recorded.count, earned.duplicates + recorded.duplicates,
                earned.batched || recorded.batched);
        long appliedAt = System.nanoTime();
        int parkedCount = parkAll(toPark, retry);
        LOG.debugf("batch of %d: apply %d us, park %d us", records.size(), (appliedAt - parsedAt) / 1000,
                (System.nanoTime() - appliedAt) / 1000);
        return new BatchReport(records.size(), applied.count, duplicates + applied.duplicates, parkedCount,
                List.copyOf(retry), applied.batched);
    }

    /**
     * Runs one parked record again (an operator's replay, with its body possibly corrected)
     * through the same path as a batch of one; if it still cannot succeed it is parked again
     * under a replay id, so nothing is lost.
     */
    public BatchReport replay(String messageId, String body) {
        SqsEvent.Record record = new SqsEvent.Record("replay-" + messageId + "-" + clock.millis(), null, body, Map.of(),
                "replay", null, null);
        return process(new SqsEvent(List.of(record)));
    }

    private record Applied(int count, int duplicates, boolean batched) {
    }

    private Applied apply(List<Valid> valid, Instant now, List<ParkedMessages.Parked> toPark, Set<String> retry) {
        if (valid.isEmpty()) {
            return new Applied(0, 0, false);
        }
        List<Valid> ordered = valid.stream().sorted(Comparator.comparing((Valid v) -> v.member().value())).toList();
        try {
            List<EarnService.BatchItem> items = ordered.stream()
                    .map(v -> new EarnService.BatchItem(v.member(), v.command(), v.record().messageId())).toList();
            long start = System.nanoTime();
            List<EarnResult> results = db.inTransaction(tx -> earn.applyBatch(tx, items, now));
            LOG.debugf("batch transaction of %d earns: %d us", items.size(), (System.nanoTime() - start) / 1000);
            int count = 0;
            int duplicates = 0;
            for (int i = 0; i < ordered.size(); i++) {
                EarnResult r = results.get(i);
                count += r instanceof EarnResult.Applied ? 1 : 0;
                duplicates += r instanceof EarnResult.AlreadyApplied ? 1 : 0;
                settle(ordered.get(i), r, now, toPark);
            }
            return new Applied(count, duplicates, true);
        } catch (EarnService.RejectedInTransaction | PgException e) {
            LOG.infof("batch of %d fell back to one transaction per record: %s", ordered.size(), e.getMessage());
        } catch (DependencyUnavailableException e) {
            LOG.warnf("PostgreSQL unavailable: %s; %d records will be retried", e.getMessage(), ordered.size());
            ordered.forEach(v -> retry.add(v.record().messageId()));
            return new Applied(0, 0, true);
        }
        int count = 0;
        int duplicates = 0;
        for (Valid v : ordered) {
            try {
                EarnResult r = Actor.as(ACTOR.withRequestId(v.record().messageId()),
                        () -> db.inTransaction(tx -> earn.apply(tx, v.member(), v.command(), now)));
                count += r instanceof EarnResult.Applied ? 1 : 0;
                duplicates += r instanceof EarnResult.AlreadyApplied ? 1 : 0;
                settle(v, r, now, toPark);
            } catch (EarnService.RejectedInTransaction r) {
                toPark.add(park(v.record(), v.member().value(), r.rejection.code(), r.rejection.message(), now));
            } catch (PgException | DependencyUnavailableException e) {
                LOG.warnf("record %s failed transiently: %s", v.record().messageId(), e.getMessage());
                retry.add(v.record().messageId());
            }
        }
        return new Applied(count, duplicates, false);
    }

    /**
     * Business events of a batch in ONE transaction of two round trips whatever their number
     * ({@link dev.loyalty.functions.program.EventService#applyBatch}: set-based reads and writes,
     * member id order, the lock order of every batch); the batch's returns after them in ONE
     * transaction of their own, one after the other (each return's reads ride with the previous
     * one's writes). Any refusal rolls that transaction back and falls back to one transaction
     * per record, where a refusal parks that record alone.
     */
    private Applied applyEvents(List<ValidEvent> valid, Instant now, List<ParkedMessages.Parked> toPark, Set<String> retry) {
        List<ValidEvent> business = valid.stream().filter(v -> v.returned() == null).toList();
        List<ValidEvent> returns = valid.stream().filter(v -> v.returned() != null).toList();
        Applied recorded = applyEvents(business, now, toPark, retry, (tx, ordered) -> events.applyBatch(tx,
                ordered.stream().map(v -> new dev.loyalty.functions.program.EventService.BatchItem(v.event(),
                        v.record().messageId())).toList(), now));
        Applied returned = applyEvents(returns, now, toPark, retry, (tx, ordered) -> {
            List<dev.loyalty.functions.program.EventResult> out = new ArrayList<>();
            for (ValidEvent v : ordered) {
                out.add(Actor.as(ACTOR.withRequestId(v.record().messageId()), () -> v.apply(events, tx, now)));
            }
            return out;
        });
        return new Applied(recorded.count + returned.count, recorded.duplicates + returned.duplicates,
                !valid.isEmpty() && (business.isEmpty() || recorded.batched) && (returns.isEmpty() || returned.batched));
    }

    private Applied applyEvents(List<ValidEvent> valid, Instant now, List<ParkedMessages.Parked> toPark, Set<String> retry,
                                java.util.function.BiFunction<dev.loyalty.functions.store.Tx, List<ValidEvent>,
                                        List<dev.loyalty.functions.program.EventResult>> inOneTransaction) {
        if (valid.isEmpty()) {
            return new Applied(0, 0, false);
        }
        List<ValidEvent> ordered = valid.stream().sorted(Comparator.comparing(ValidEvent::memberId)).toList();
        try {
            long start = System.nanoTime();
            List<dev.loyalty.functions.program.EventResult> results = db.inTransaction(tx -> inOneTransaction.apply(tx, ordered));
            LOG.debugf("batch transaction of %d events: %d us", ordered.size(), (System.nanoTime() - start) / 1000);
            int count = 0;
            int duplicates = 0;
            for (var r : results) {
                count += r instanceof dev.loyalty.functions.program.EventResult.Recorded ? 1 : 0;
                duplicates += r instanceof dev.loyalty.functions.program.EventResult.AlreadyRecorded ? 1 : 0;
            }
            return new Applied(count, duplicates, true);
        } catch (dev.loyalty.functions.program.EventService.Rejected | PgException e) {
            LOG.infof("batch of %d events fell back to one transaction per record: %s", ordered.size(), e.getMessage());
        } catch (DependencyUnavailableException e) {
            LOG.warnf("PostgreSQL unavailable: %s; %d records will be retried", e.getMessage(), ordered.size());
            ordered.forEach(v -> retry.add(v.record().messageId()));
            return new Applied(0, 0, true);
        }
        int count = 0;
        int duplicates = 0;
        for (ValidEvent v : ordered) {
            try {
                var r = Actor.as(ACTOR.withRequestId(v.record().messageId()), () -> v.record(events));
                switch (r) {
                    case dev.loyalty.functions.program.EventResult.Recorded x -> count++;
                    case dev.loyalty.functions.program.EventResult.AlreadyRecorded x -> duplicates++;
                    case dev.loyalty.functions.program.EventResult.Refused x when x.refusal() instanceof Refusal.EventNotFound
                            && receiveCount(v.record()) < config.returnBeforePurchaseMaxReceives() -> {
                        // The purchase may still be on its way (SQS does not keep order): SQS retries.
                        LOG.infof("return %s names a purchase not recorded yet (receive %d of %d); retried",
                                v.record().messageId(), receiveCount(v.record()), config.returnBeforePurchaseMaxReceives());
                        retry.add(v.record().messageId());
                    }
                    case dev.loyalty.functions.program.EventResult.Refused x when x.refusal() instanceof Refusal.EventNotFound ->
                            toPark.add(park(v.record(), v.memberId(), x.refusal().code(), x.refusal().field()
                                    + ": no purchase with this reference after " + receiveCount(v.record())
                                    + " receives (loyalty.queue.return-before-purchase-max-receives)", now));
                    case dev.loyalty.functions.program.EventResult.Refused x -> toPark.add(park(v.record(),
                            v.memberId(), x.refusal().code(), x.refusal().field() + ": " + x.refusal().message(), now));
                }
            } catch (PgException | DependencyUnavailableException e) {
                LOG.warnf("record %s failed transiently: %s", v.record().messageId(), e.getMessage());
                retry.add(v.record().messageId());
            }
        }
        return new Applied(count, duplicates, false);
    }

    /** SQS's ApproximateReceiveCount of the record (1 on first delivery; 1 when absent, e.g. a replay). */
    static int receiveCount(SqsEvent.Record record) {
        String v = record.attributes() == null ? null : record.attributes().get("ApproximateReceiveCount");
        try {
            return v == null ? 1 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** A record's place among the batch's copies of its reference. */
    private enum Copy { FIRST, SAME, DIFFERENT }

    /** The first copy of a key carries it; a later copy is the same request again or a different one. */
    private static Copy copy(Map<String, String> seen, String key, String fingerprint) {
        String first = seen.putIfAbsent(key, fingerprint);
        return first == null ? Copy.FIRST : first.equals(fingerprint) ? Copy.SAME : Copy.DIFFERENT;
    }

    private boolean isBusinessEvent(SqsEvent.Record record) {
        String raw = record.body();
        if (raw == null || !raw.contains("\"event\"")) {
            return false;
        }
        try {
            return requests.jsonObject(raw, false).node().has("event");
        } catch (ApiException e) {
            return false; // parked by the earn parser with its reason
        }
    }

    /** The record as a business event, or null after queueing it for parking. */
    private ValidEvent parseEvent(SqsEvent.Record record, Instant now, List<ParkedMessages.Parked> toPark) {
        String raw = record.body();
        String member = "";
        try {
            if (raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > requests.maxBodyBytes()) {
                throw ApiException.validation("body", "over " + requests.maxBodyBytes() + " bytes");
            }
            JsonBody body = requests.jsonObject(raw, false);
            var memberNode = body.node().get("memberId");
            if (memberNode != null && memberNode.isTextual() && MemberId.isValid(memberNode.asText())) {
                member = memberNode.asText(); // parked under its member when it can be told
            }
            if (body.node().has("points")) {
                throw ApiException.validation("event", "a record has either points (an earn) or event (a business event), not both");
            }
            if (dev.loyalty.functions.program.ProgramRoutes.isReturn(body)) {
                body.allowOnly(RETURN_FIELDS);
                String memberId = body.requiredString("memberId");
                member = MemberId.isValid(memberId) ? memberId : "";
                var command = dev.loyalty.functions.program.ProgramRoutes.returnCommand(memberId, body);
                var invalid = dev.loyalty.core.returns.ReturnRules.validate(command, now);
                if (invalid.isPresent()) {
                    toPark.add(park(record, member, invalid.get().code(), invalid.get().field() + ": " + invalid.get().message(), now));
                    return null;
                }
                return new ValidEvent(record, null, command, memberId + "#" + command.reference(),
                        RequestFingerprint.returnEvent(command));
            }
            body.allowOnly(EVENT_FIELDS);
            String memberId = body.requiredString("memberId");
            member = MemberId.isValid(memberId) ? memberId : "";
            Map<String, String> attributes = null;
            var a = body.node().get("attributes");
            if (a != null && !a.isNull()) {
                if (!a.isObject()) {
                    throw ApiException.validation("attributes", "must be an object of string to string");
                }
                attributes = new HashMap<>();
                for (var it = a.fields(); it.hasNext(); ) {
                    var f = it.next();
                    if (!f.getValue().isTextual()) {
                        throw ApiException.validation("attributes." + f.getKey(), "must be a string");
                    }
                    attributes.put(f.getKey(), f.getValue().asText());
                }
            }
            var event = new dev.loyalty.core.rules.BusinessEvent(memberId, body.requiredString("event"),
                    body.requiredString("reference"), body.optionalInstant("occurredAt"), body.optionalLong("amount"),
                    body.optionalString("currency"), attributes, body.optionalString("description"));
            var invalid = dev.loyalty.core.rules.RulesEngine.validate(event, now);
            if (invalid.isPresent()) {
                toPark.add(park(record, member, invalid.get().code(), invalid.get().field() + ": " + invalid.get().message(), now));
                return null;
            }
            return new ValidEvent(record, event, null, memberId + "#" + event.reference(), RequestFingerprint.businessEvent(event));
        } catch (ApiException e) {
            toPark.add(park(record, member, e.error.name(), e.getMessage(), now));
            return null;
        }
    }

    /** A record whose reference the ledger holds with another payload is parked; the rest is done. */
    private void settle(Valid v, EarnResult r, Instant now, List<ParkedMessages.Parked> toPark) {
        switch (r) {
            case EarnResult.Applied a -> {
            }
            case EarnResult.AlreadyApplied a -> {
            }
            case EarnResult.Refused x when x.refusal() instanceof Refusal.ReferenceAlreadyUsed used ->
                    toPark.add(park(v.record(), v.member().value(), used.code(), "reference " + v.command().reference()
                            + " was already used for a different earn (" + used.transactionId() + ")", now));
            case EarnResult.Refused x -> toPark.add(park(v.record(), v.member().value(), x.refusal().code(),
                    x.refusal().message(), now));
        }
    }

    /** Parks in one transaction; if PostgreSQL is down they are retried instead, never dropped. */
    private int parkAll(List<ParkedMessages.Parked> toPark, Set<String> retry) {
        if (toPark.isEmpty()) {
            return 0;
        }
        try {
            db.inTransaction(tx -> {
                toPark.forEach(p -> parked.park(tx, p));
                return null;
            });
            return toPark.size();
        } catch (DependencyUnavailableException | PgException e) {
            LOG.warnf("could not park %d records (%s); SQS will redeliver them", toPark.size(), e.getMessage());
            toPark.forEach(p -> retry.add(p.messageId()));
            return 0;
        }
    }

    /** The record as an earn, or null after queueing it for parking. */
    private Valid parse(SqsEvent.Record record, Instant now, List<ParkedMessages.Parked> toPark) {
        String raw = record.body() == null ? "" : record.body();
        String member = "";
        try {
            if (raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > requests.maxBodyBytes()) {
                throw ApiException.validation("body", "over " + requests.maxBodyBytes() + " bytes");
            }
            JsonBody body = requests.jsonObject(raw, false).allowOnly(FIELDS);
            String memberId = body.requiredString("memberId");
            EarnCommand command = new EarnCommand(memberId, body.requiredLong("points"), body.requiredString("type"),
                    body.requiredString("reference"), body.optionalInstant("occurredAt"), body.optionalString("description"),
                    body.optionalInstant("expiresAt"));
            if (!MemberId.isValid(memberId)) {
                toPark.add(park(record, "", "VALIDATION_FAILED", "memberId: must be 1 to 64 characters of [A-Za-z0-9_.:-]", now));
                return null;
            }
            member = memberId;
            MemberId id = new MemberId(memberId);
            if (EarnRule.apply(AccountState.empty(id), command, now, catalog, UUID::randomUUID) instanceof EarnOutcome.Refused(var r)) {
                toPark.add(park(record, memberId, r.code(), r.field() + ": " + r.message(), now));
                return null;
            }
            return new Valid(record, id, command, memberId + "#" + command.reference(), RequestFingerprint.earn(command));
        } catch (ApiException e) {
            toPark.add(park(record, member, e.error.name(), e.getMessage(), now));
            return null;
        }
    }

    private static ParkedMessages.Parked park(SqsEvent.Record record, String memberId, String code, String reason, Instant now) {
        Long sent = record.sentTimestampMs();
        String messageId = record.messageId() == null ? "unknown-" + UUID.randomUUID() : record.messageId();
        return new ParkedMessages.Parked(memberId, messageId, ParkedMessages.SOURCE_SQS_EARN,
                record.body() == null ? "" : record.body(), code, reason, sent == null ? now : Instant.ofEpochMilli(sent), now, null);
    }
}
