package dev.loyalty.functions.idempotency;

import dev.loyalty.contract.ApiRoute;
import dev.loyalty.core.idempotency.IdempotencyRecord;
import dev.loyalty.core.idempotency.IdempotencyRules;
import dev.loyalty.core.idempotency.IdempotencyStore;
import dev.loyalty.core.idempotency.IdempotencyStoreUnavailableException;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.functions.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Runs a write at most once per (caller, route, Idempotency-Key): claim, run, store the
 * answer. What the caller gets:
 * <ul>
 *   <li>a replay of a finished request: the stored status and body, plus {@code Idempotent-Replayed: true};</li>
 *   <li>the same key with a different request: 422 IDEMPOTENCY_KEY_REUSED;</li>
 *   <li>a duplicate while the first still runs: 409 IDEMPOTENCY_IN_PROGRESS with Retry-After;</li>
 *   <li>the table unreachable: 503, and the write is not attempted.</li>
 * </ul>
 * 2xx and 4xx answers are stored; a 5xx or a crash releases the claim so a retry runs again.
 * If storing the answer fails after the ledger committed, the claim simply expires; the
 * retry then meets the ledger's unique reference and gets the original outcome.
 */
@ApplicationScoped
public class IdempotentWrites {
    public static final String REPLAYED_HEADER = "idempotent-replayed";
    private static final Logger LOG = Logger.getLogger(IdempotentWrites.class);

    private final IdempotencyStore store;
    private final IdempotencyConfig config;
    private final Requests requests;
    private final Responses responses;
    private final Clock clock;
    private final Db db;
    private final ObjectMapper json;

    public IdempotentWrites(IdempotencyStore store, IdempotencyConfig config, Requests requests, Responses responses,
                            Clock clock, Db db, ObjectMapper json) {
        this.store = store;
        this.config = config;
        this.requests = requests;
        this.responses = responses;
        this.clock = clock;
        this.db = db;
        this.json = json;
    }

    /** The scoped key of an API write: the caller and the route own the client's key. */
    public static String apiKey(Caller caller, ApiRoute route, String idempotencyKey) {
        return "api#" + caller.subject() + "#" + route.routeKey() + "#" + idempotencyKey;
    }

    public HttpApiResponse run(HttpApiEvent event, Caller caller, ApiRoute route, String rawBody,
                               Supplier<HttpApiResponse> work) {
        String key = apiKey(caller, route, requests.idempotencyKey(event));
        String hash = RequestHash.of(event.method(), event.path(), rawBody);
        Instant started = clock.instant();
        long inProgressExpiresAtEpochMilli = started.toEpochMilli() + config.lambdaTimeoutMs() + config.inProgressMarginMs();
        long expiresAtEpochSecond = started.getEpochSecond() + config.recordTtlSeconds();

        IdempotencyStore.Claim claim = store.claim(key, hash, started, inProgressExpiresAtEpochMilli, expiresAtEpochSecond);
        String requestId = event.requestId();
        if (claim instanceof IdempotencyStore.Claim.Existing existing) {
            return switch (IdempotencyRules.onDuplicate(existing.record(), hash, started)) {
                case IdempotencyRules.Duplicate.Replay r -> inLedger(event, r.response()) ? replay(r.response())
                        : rerun(key, work, requestId);
                case IdempotencyRules.Duplicate.KeyReusedWithDifferentPayload k -> responses.problem(
                        ApiError.IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key was used for a different request",
                        Map.of(), requestId);
                case IdempotencyRules.Duplicate.InProgress p -> withHeader(responses.problem(
                        ApiError.IDEMPOTENCY_IN_PROGRESS, "a request with this Idempotency-Key is still being processed",
                        Map.of(), requestId), "retry-after", Long.toString(p.retryAfterSeconds()));
            };
        }
        IdempotencyRecord claimed = ((IdempotencyStore.Claim.Claimed) claim).record();
        HttpApiResponse response;
        // The write's events are published while its answer is stored (two independent calls
        // after the commit), not one after the other; the answer waits for both.
        Db.AfterCommit publish = Db.deferAfterCommit();
        try {
            try {
                response = work.get();
            } catch (ApiException e) {
                response = responses.problem(e, requestId);
            } catch (RuntimeException e) {
                releaseQuietly(claimed);
                throw e;
            } finally {
                publish.close();
            }
            if (response.statusCode() >= 500) {
                releaseQuietly(claimed);
                return response;
            }
            java.util.concurrent.Future<?> publishing = publish.isEmpty() ? null : PUBLISHER.submit(publish::run);
            try {
                store.complete(claimed, new IdempotencyRecord.StoredResponse(response.statusCode(), response.body()),
                        expiresAtEpochSecond);
            } catch (IdempotencyStoreUnavailableException e) {
                LOG.warnf("could not store the answer for %s (%s); the claim will expire and the ledger's uniqueness holds",
                        key, e.getMessage());
            }
            awaitQuietly(publishing);
            return response;
        } finally {
            publish.run(); // whatever did not run above (an exception, a 5xx after a commit): now, here
        }
    }

    /** One thread per function instance publishes alongside the request thread (Lambda runs one request at a time). */
    private static final java.util.concurrent.ExecutorService PUBLISHER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "after-commit-publisher");
        t.setDaemon(true);
        return t;
    });

    /** The publisher bounds itself (its call budget) and never throws; this only waits for it. */
    private static void awaitQuietly(java.util.concurrent.Future<?> f) {
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warnf("after-commit publish failed, the relay will deliver: %s", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether a stored answer may be replayed: one that names a transaction must find it in the
     * ledger. A commit acknowledged and then lost (a database crash without durable commits, a
     * restore from backup) would otherwise be replayed forever as if it had happened.
     */
    boolean inLedger(HttpApiEvent event, IdempotencyRecord.StoredResponse stored) {
        if (stored.statusCode() >= 300 || stored.body() == null || !stored.body().contains("\"transactionId\"")) {
            return true;
        }
        String member = event.pathParameters() == null ? null : event.pathParameters().get("memberId");
        UUID transactionId;
        try {
            transactionId = UUID.fromString(json.readTree(stored.body()).path("transactionId").asText());
        } catch (IOException | IllegalArgumentException e) {
            return true; // not a ledger transaction id
        }
        if (member == null) {
            return true;
        }
        return db.read(tx -> tx.one("SELECT 1 AS found FROM ledger_entries WHERE member_id = $1 AND entry_id = $2",
                row -> Boolean.TRUE, member, transactionId).isPresent());
    }

    /**
     * The stored answer names a transaction the ledger does not hold: run the write again, as the
     * TTL backstop does. The ledger's unique (member, kind, reference) decides: applied now if the
     * first commit was lost, or the original answer read back if it is there after all. The stale
     * record stays; every replay of it re-checks the ledger the same way.
     */
    private HttpApiResponse rerun(String key, Supplier<HttpApiResponse> work, String requestId) {
        LOG.warnf("idempotency record %s names a transaction missing from the ledger; re-running against the ledger", key);
        try {
            return work.get();
        } catch (ApiException e) {
            return responses.problem(e, requestId);
        }
    }

    private void releaseQuietly(IdempotencyRecord claimed) {
        try {
            store.release(claimed);
        } catch (IdempotencyStoreUnavailableException e) {
            LOG.warnf("could not release %s (%s); it frees itself at its in-progress expiry", claimed.key(), e.getMessage());
        }
    }

    private static HttpApiResponse replay(IdempotencyRecord.StoredResponse stored) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", stored.statusCode() < 400 ? Responses.JSON : Responses.PROBLEM_JSON);
        headers.put(REPLAYED_HEADER, "true");
        return new HttpApiResponse(stored.statusCode(), headers, stored.body(), false);
    }

    public static HttpApiResponse withHeader(HttpApiResponse r, String name, String value) {
        Map<String, String> headers = new LinkedHashMap<>(r.headers());
        headers.put(name, value);
        return new HttpApiResponse(r.statusCode(), headers, r.body(), r.isBase64Encoded());
    }
}
