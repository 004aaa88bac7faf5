package dev.loyalty.functions.reports;

import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Boundary;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.http.Routes;
import dev.loyalty.functions.idempotency.IdempotentWrites;
import dev.loyalty.functions.queue.ParkedMessages;
import dev.loyalty.functions.queue.QueueEarnService;
import dev.loyalty.functions.store.Db;
import io.quarkus.funqy.Funq;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Lambda {@code reports}: the operator's routes, {@code points:admin} only.
 * <ul>
 *   <li>{@code GET /reports/liability?asOf=&from=}: outstanding points and totals from the ledger;</li>
 *   <li>{@code GET /admin/parked?limit=}: queue records parked because they can never succeed;</li>
 *   <li>{@code POST /admin/parked/{messageId}/replay}: run a parked record again, with a corrected
 *       message body if one is sent, through the same batch path as SQS (exactly once).</li>
 * </ul>
 */
public class ReportsFunction {
    public static final int PARKED_LIMIT_DEFAULT = 50;

    private final Boundary boundary;
    private final Requests requests;
    private final Responses responses;
    private final LiabilityReport liability;
    private final ParkedMessages parked;
    private final QueueEarnService queue;
    private final IdempotentWrites idempotent;
    private final Db db;
    private final Clock clock;

    public ReportsFunction(Boundary boundary, Requests requests, Responses responses, LiabilityReport liability,
                           ParkedMessages parked, QueueEarnService queue, IdempotentWrites idempotent, Db db, Clock clock) {
        this.boundary = boundary;
        this.requests = requests;
        this.responses = responses;
        this.liability = liability;
        this.parked = parked;
        this.queue = queue;
        this.idempotent = idempotent;
        this.db = db;
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
                int limit = PARKED_LIMIT_DEFAULT;
                if (event.query("limit") != null) {
                    try {
                        limit = Integer.parseInt(event.query("limit"));
                    } catch (NumberFormatException e) {
                        limit = 0;
                    }
                    if (limit < 1 || limit > ParkedMessages.LIST_LIMIT_MAX) {
                        throw ApiException.validation("limit", "must be 1 to " + ParkedMessages.LIST_LIMIT_MAX);
                    }
                }
                int rows = limit;
                return responses.ok(200, Map.of("items", db.read(tx -> parked.open(tx, rows))));
            }
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, route.route(), raw, () -> replay(route.params().get("messageId"), raw));
        });
    }

    private HttpApiResponse replay(String messageId, String correctedBody) {
        ParkedMessages.Parked p = db.read(tx -> parked.find(tx, messageId))
                .filter(x -> x.replayedAt() == null)
                .orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no open parked message " + messageId));
        String body = correctedBody.isBlank() ? p.rawBody() : correctedBody;
        QueueEarnService.BatchReport report = queue.replay(messageId, body);
        if (!report.retry().isEmpty()) {
            throw new ApiException(ApiError.SERVICE_UNAVAILABLE, "the replay hit a transient failure; retry it");
        }
        boolean done = report.applied() + report.duplicates() == 1;
        if (done) {
            db.inTransaction(tx -> {
                parked.markReplayed(tx, p, clock.instant());
                return null;
            });
        }
        if (!done) {
            return responses.problem(ApiError.PARKED_AGAIN, "the record still cannot be applied; it was parked again"
                    + " with its reason (GET /admin/parked)", Map.of("messageId", messageId, "parkedAgain", true), null);
        }
        return responses.ok(200, Map.of("messageId", messageId, "applied", report.applied() == 1,
                "duplicate", report.duplicates() == 1, "parkedAgain", false));
    }
}
