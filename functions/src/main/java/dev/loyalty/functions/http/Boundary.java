package dev.loyalty.functions.http;

import dev.loyalty.functions.store.DependencyUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import dev.loyalty.functions.observability.Emf;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Wraps every API function: problems become problem+json, a dependency failure becomes 503
 * (its transaction already rolled back), and a bug becomes a 500 that never leaks internals.
 */
@ApplicationScoped
public class Boundary {
    private static final Logger LOG = Logger.getLogger(Boundary.class);

    private final Responses responses;

    public Boundary(Responses responses) {
        this.responses = responses;
    }

    /** The Lambda's name on AWS ({@code AWS_LAMBDA_FUNCTION_NAME}), for metric dimensions. */
    private static final String FUNCTION = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "local");

    public HttpApiResponse handle(HttpApiEvent event, Supplier<HttpApiResponse> work) {
        long start = System.nanoTime();
        String requestId = event == null ? null : event.requestId();
        String route = event == null ? null : event.routeKey();
        MDC.put("requestId", String.valueOf(requestId));
        MDC.put("route", String.valueOf(route));
        if (event != null && event.pathParameters() != null && event.pathParameters().get("memberId") != null) {
            MDC.put("memberId", event.pathParameters().get("memberId"));
        }
        HttpApiResponse response = null;
        dev.loyalty.functions.store.Db.resetRoundTrips();
        try {
            response = attempt(event, work, requestId);
            return response;
        } finally {
            long ms = (System.nanoTime() - start) / 1_000_000;
            int status = response == null ? 500 : response.statusCode();
            boolean replayed = response != null && "true".equals(response.header("idempotent-replayed"));
            int roundTrips = dev.loyalty.functions.store.Db.lastRoundTrips();
            LOG.infof("request done: status=%d replayed=%s latencyMs=%d dbRoundTrips=%d", status, replayed, ms, roundTrips);
            Emf.emit(Map.of("Function", FUNCTION, "Outcome", (status / 100) + "xx"),
                    Map.of("Requests", 1L, "Replays", replayed ? 1L : 0L, "LatencyMs", ms, "DbRoundTrips", (long) roundTrips));
            MDC.remove("requestId");
            MDC.remove("route");
            MDC.remove("memberId");
        }
    }

    private HttpApiResponse attempt(HttpApiEvent event, Supplier<HttpApiResponse> work, String requestId) {
        try {
            if (event == null) {
                throw new ApiException(ApiError.VALIDATION_FAILED, "empty event");
            }
            return work.get();
        } catch (ApiException e) {
            return responses.problem(e, requestId);
        } catch (DependencyUnavailableException | dev.loyalty.core.idempotency.IdempotencyStoreUnavailableException e) {
            LOG.warnf("dependency unavailable (request %s): %s", requestId, e.getMessage());
            return responses.problem(ApiError.SERVICE_UNAVAILABLE, "a dependency is unavailable; nothing was applied, retry later",
                    Map.of(), requestId);
        } catch (RuntimeException e) {
            LOG.errorf(e, "unexpected failure (request %s)", requestId);
            return responses.problem(ApiError.INTERNAL_ERROR, "unexpected error; nothing was applied", Map.of(), requestId);
        }
    }
}
