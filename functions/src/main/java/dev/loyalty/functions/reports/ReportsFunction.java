package dev.loyalty.functions.reports;

import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Boundary;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.http.Routes;
import dev.loyalty.functions.idempotency.IdempotentWrites;
import dev.loyalty.functions.queue.ParkedAdmin;
import io.quarkus.funqy.Funq;

import java.time.Clock;
import java.time.Instant;

/**
 * Lambda {@code reports}: the operator's routes, {@code points:admin} only.
 * <ul>
 *   <li>{@code GET /reports/liability?asOf=&from=}: outstanding points and totals from the ledger;</li>
 *   <li>the parked queue records ({@code GET /admin/parked}, {@code POST /admin/parked/{messageId}/replay}),
 *       answered by {@link ParkedAdmin} in the queue package, which owns them.</li>
 * </ul>
 */
public class ReportsFunction {
    private final Boundary boundary;
    private final Requests requests;
    private final Responses responses;
    private final LiabilityReport liability;
    private final ParkedAdmin parked;
    private final IdempotentWrites idempotent;
    private final Clock clock;

    public ReportsFunction(Boundary boundary, Requests requests, Responses responses, LiabilityReport liability,
                           ParkedAdmin parked, IdempotentWrites idempotent, Clock clock) {
        this.boundary = boundary;
        this.requests = requests;
        this.responses = responses;
        this.liability = liability;
        this.parked = parked;
        this.idempotent = idempotent;
        this.clock = clock;
    }

    @Funq("reports")
    public HttpApiResponse reports(HttpApiEvent event) {
        return boundary.handle(event, () -> {
            Routes.Match route = Routes.match(event, Routes.REPORTS);
            Caller caller = Caller.from(event);
            caller.requireAdmin();
            if (route.route().equals(ApiRoutes.LIABILITY)) {
                Instant asOf = Requests.instantQuery(event, "asOf");
                Instant from = Requests.instantQuery(event, "from");
                Instant at = asOf == null ? clock.instant() : asOf;
                if (from != null && from.isAfter(at)) {
                    throw ApiException.validation("from", "must not be after asOf");
                }
                return responses.ok(200, liability.at(at, from));
            }
            if (route.route().equals(ApiRoutes.PARKED)) {
                return parked.list(event);
            }
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, route.route(), raw, () -> parked.replay(route.params().get("messageId"), raw));
        });
    }
}
