package dev.loyalty.functions.http;

import dev.loyalty.functions.store.DependencyUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

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

    public HttpApiResponse handle(HttpApiEvent event, Supplier<HttpApiResponse> work) {
        String requestId = event == null ? null : event.requestId();
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
