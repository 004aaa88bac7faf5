package dev.loyalty.functions.queue;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;
import dev.loyalty.core.idempotency.IdempotencyRecord;
import dev.loyalty.core.idempotency.IdempotencyRules;
import dev.loyalty.core.idempotency.IdempotencyStore;
import dev.loyalty.core.idempotency.IdempotencyStoreUnavailableException;
import dev.loyalty.core.Refusal;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.JsonBody;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.idempotency.IdempotencyConfig;
import dev.loyalty.functions.idempotency.RequestHash;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.DependencyUnavailableException;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 *   <li>Each valid record claims its idempotency key, the member plus {@code reference}. A
 *       record already applied is acknowledged; one still in flight elsewhere is retried.</li>
 *   <li>The claimed records are applied in ONE PostgreSQL transaction with a fixed number of
 *       set-based statements ({@link EarnService#applyBatch}), locking members in member id
 *       order (so concurrent batches lock in the same order), sharing one commit. If any record
 *       fails inside it, the batch falls back to one transaction per record.</li>
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
    private final IdempotencyStore idempotency;
    private final IdempotencyConfig idempotencyConfig;
    private final ParkedMessages parked;
    private final PointTypeCatalog catalog;
    private final Clock clock;

    public QueueEarnService(Db db, EarnService earn, Requests requests, IdempotencyStore idempotency,
                            IdempotencyConfig idempotencyConfig, ParkedMessages parked, PointTypeCatalog catalog, Clock clock) {
        this.db = db;
        this.earn = earn;
        this.requests = requests;
        this.idempotency = idempotency;
        this.idempotencyConfig = idempotencyConfig;
        this.parked = parked;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** The outcome counts of one batch, for logs and tests. */
    public record BatchReport(int records, int applied, int duplicates, int parked, List<String> retry, boolean batched) {
    }

    private record Valid(SqsEvent.Record record, MemberId member, EarnCommand command, String key, String hash) {
    }

    private record Claimed(Valid valid, IdempotencyRecord claim) {
    }

    public BatchReport process(SqsEvent event) {
        Instant now = clock.instant();
        List<SqsEvent.Record> records = event == null || event.records() == null ? List.of() : event.records();
        List<ParkedMessages.Parked> toPark = new ArrayList<>();
        Set<String> retry = new LinkedHashSet<>();
        List<Claimed> claimed = new ArrayList<>();
        java.util.Map<String, String> claimedHashes = new java.util.HashMap<>();
        int duplicates = 0;
        // Parse everything first, and settle duplicates inside the batch: the first copy of a
        // key carries it, an identical later copy is a duplicate, a different one conflicts.
        List<Valid> unique = new ArrayList<>();
        for (SqsEvent.Record record : records) {
            Valid valid = parse(record, now, toPark);
            if (valid == null) {
                continue;
            }
            String firstHash = claimedHashes.putIfAbsent(valid.key(), valid.hash());
            if (firstHash == null) {
                unique.add(valid);
            } else if (firstHash.equals(valid.hash())) {
                duplicates++;
            } else {
                toPark.add(park(record, valid.member().value(), "REFERENCE_ALREADY_USED",
                        "reference " + valid.command().reference() + " is used by a different earn in the same batch", now));
            }
        }
        long parsedAt = System.nanoTime();
        // Claim all keys at once: one DynamoDB round trip of latency for the batch, not one per record.
        List<IdempotencyStore.Claim> claims = parallel(unique, valid -> idempotency.claim(valid.key(), valid.hash(), now,
                now.toEpochMilli() + idempotencyConfig.lambdaTimeoutMs() + idempotencyConfig.inProgressMarginMs(),
                now.getEpochSecond() + idempotencyConfig.recordTtlSeconds()));
        for (int i = 0; i < unique.size(); i++) {
            Valid valid = unique.get(i);
            SqsEvent.Record record = valid.record();
            switch (claims.get(i)) {
                case null -> retry.add(record.messageId()); // the table was unavailable for this one
                case IdempotencyStore.Claim.Claimed c -> claimed.add(new Claimed(valid, c.record()));
                case IdempotencyStore.Claim.Existing e -> {
                    switch (IdempotencyRules.onDuplicate(e.record(), valid.hash(), now)) {
                        case IdempotencyRules.Duplicate.Replay r -> duplicates++;
                        case IdempotencyRules.Duplicate.InProgress p -> retry.add(record.messageId());
                        case IdempotencyRules.Duplicate.KeyReusedWithDifferentPayload k -> toPark.add(park(record,
                                valid.member().value(), "REFERENCE_ALREADY_USED",
                                "reference " + valid.command().reference() + " was already used for a different earn", now));
                    }
                }
            }
        }
        long claimedAt = System.nanoTime();
        Applied applied = apply(claimed, now, toPark, retry);
        long appliedAt = System.nanoTime();
        int parkedCount = parkAll(toPark, retry);
        LOG.debugf("batch of %d: claims %d us, apply+complete %d us, park %d us", records.size(),
                (claimedAt - parsedAt) / 1000, (appliedAt - claimedAt) / 1000, (System.nanoTime() - appliedAt) / 1000);
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

    private Applied apply(List<Claimed> claimed, Instant now, List<ParkedMessages.Parked> toPark, Set<String> retry) {
        if (claimed.isEmpty()) {
            return new Applied(0, 0, false);
        }
        List<Claimed> ordered = claimed.stream()
                .sorted(Comparator.comparing((Claimed c) -> c.valid().member().value())).toList();
        try {
            List<EarnService.BatchItem> items = ordered.stream()
                    .map(c -> new EarnService.BatchItem(c.valid().member(), c.valid().command())).toList();
            long start = System.nanoTime();
            List<EarnResult> results = db.inTransaction(tx -> earn.applyBatch(tx, items, now));
            LOG.debugf("batch transaction of %d earns: %d us", items.size(), (System.nanoTime() - start) / 1000);
            int count = 0;
            int duplicates = 0;
            List<Completion> completions = new ArrayList<>();
            for (int i = 0; i < ordered.size(); i++) {
                EarnResult r = results.get(i);
                count += r instanceof EarnResult.Applied ? 1 : 0;
                duplicates += r instanceof EarnResult.AlreadyApplied ? 1 : 0;
                completions.add(settle(ordered.get(i), r, now, toPark));
            }
            // Mark the whole batch COMPLETED at once (a failure leaves a claim to expire; the
            // ledger's unique reference answers any redelivery).
            parallel(completions, c -> {
                complete(c.claimed(), c.status(), c.body());
                return Boolean.TRUE;
            });
            return new Applied(count, duplicates, true);
        } catch (EarnService.RejectedInTransaction | PgException e) {
            LOG.infof("batch of %d fell back to one transaction per record: %s", ordered.size(), e.getMessage());
        } catch (DependencyUnavailableException e) {
            LOG.warnf("PostgreSQL unavailable: %s; %d records will be retried", e.getMessage(), ordered.size());
            ordered.forEach(c -> release(c, retry));
            return new Applied(0, 0, true);
        }
        int count = 0;
        int duplicates = 0;
        for (Claimed c : ordered) {
            try {
                EarnResult r = db.inTransaction(tx -> earn.apply(tx, c.valid().member(), c.valid().command(), now));
                count += r instanceof EarnResult.Applied ? 1 : 0;
                duplicates += r instanceof EarnResult.AlreadyApplied ? 1 : 0;
                Completion done = settle(c, r, now, toPark);
                complete(done.claimed(), done.status(), done.body());
            } catch (EarnService.RejectedInTransaction r) {
                toPark.add(park(c.valid().record(), c.valid().member().value(), r.rejection.code(), r.rejection.message(), now));
                complete(c, 422, "{\"code\":\"" + r.rejection.code() + "\"}");
            } catch (PgException | DependencyUnavailableException e) {
                LOG.warnf("record %s failed transiently: %s", c.valid().record().messageId(), e.getMessage());
                release(c, retry);
            }
        }
        return new Applied(count, duplicates, false);
    }

    /**
     * Runs blocking idempotency calls for a batch concurrently on virtual threads; a call whose
     * table is unavailable yields null (that record is retried), never an exception.
     */
    private static <T, R> List<R> parallel(List<T> items, java.util.function.Function<T, R> call) {
        if (items.size() <= 1) {
            List<R> out = new ArrayList<>();
            for (T item : items) {
                out.add(orNull(() -> call.apply(item)));
            }
            return out;
        }
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> orNull(() -> call.apply(item))));
            }
            List<R> out = new ArrayList<>();
            for (var f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static <R> R orNull(java.util.function.Supplier<R> call) {
        try {
            return call.get();
        } catch (IdempotencyStoreUnavailableException e) {
            LOG.warnf("idempotency table unavailable: %s; the record will be retried", e.getMessage());
            return null;
        }
    }

    /** The answer a claim is completed with. */
    private record Completion(Claimed claimed, int status, String body) {
    }

    private Completion settle(Claimed c, EarnResult r, Instant now, List<ParkedMessages.Parked> toPark) {
        return switch (r) {
            case EarnResult.Applied a -> new Completion(c, 201, a.receipt().transactionId().toString());
            case EarnResult.AlreadyApplied a -> new Completion(c, 201, a.receipt().transactionId().toString());
            case EarnResult.Refused x when x.refusal() instanceof Refusal.ReferenceAlreadyUsed used -> {
                toPark.add(park(c.valid().record(), c.valid().member().value(), used.code(),
                        "reference " + c.valid().command().reference() + " was already used for a different earn ("
                                + used.transactionId() + ")", now));
                yield new Completion(c, 409, "{\"code\":\"REFERENCE_ALREADY_USED\"}");
            }
            case EarnResult.Refused x -> throw new IllegalStateException("refused inside a transaction: " + x);
        };
    }

    private void complete(Claimed c, int status, String body) {
        try {
            idempotency.complete(c.claim(), new IdempotencyRecord.StoredResponse(status, body),
                    c.claim().expiresAtEpochSecond());
        } catch (IdempotencyStoreUnavailableException e) {
            // Applied in PostgreSQL already; a redelivery meets the ledger's unique reference.
            LOG.warnf("could not complete %s: %s", c.claim().key(), e.getMessage());
        }
    }

    private void release(Claimed c, Set<String> retry) {
        retry.add(c.valid().record().messageId());
        try {
            idempotency.release(c.claim());
        } catch (IdempotencyStoreUnavailableException e) {
            LOG.warnf("could not release %s: %s", c.claim().key(), e.getMessage());
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
            String key = "sqs-earn#" + memberId + "#" + command.reference();
            return new Valid(record, id, command, key, RequestHash.of("SQS", "earn", raw));
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
