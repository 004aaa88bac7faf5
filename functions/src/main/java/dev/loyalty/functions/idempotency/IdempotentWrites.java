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
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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

    public IdempotentWrites(IdempotencyStore store, IdempotencyConfig config, Requests requests, Responses responses,
                            Clock clock) {
        this.store = store;
        this.config = config;
        this.requests = requests;
        this.responses = responses;
        this.clock = clock;
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
                case IdempotencyRules.Duplicate.Replay r -> replay(r.response());
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
        try {
            response = work.get();
        } catch (ApiException e) {
            response = responses.problem(e, requestId);
        } catch (RuntimeException e) {
            releaseQuietly(claimed);
            throw e;
        }
        if (response.statusCode() >= 500) {
            releaseQuietly(claimed);
            return response;
        }
        try {
            store.complete(claimed, new IdempotencyRecord.StoredResponse(response.statusCode(), response.body()),
                    expiresAtEpochSecond);
        } catch (IdempotencyStoreUnavailableException e) {
            LOG.warnf("could not store the answer for %s (%s); the claim will expire and the ledger's uniqueness holds",
                    key, e.getMessage());
        }
        return response;
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
