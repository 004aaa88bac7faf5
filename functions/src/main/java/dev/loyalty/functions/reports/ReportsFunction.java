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

import dev.loyalty.core.reports.ReportWindow;

import java.time.Clock;
import java.time.Instant;

/**
 * Lambda {@code reports}: the operator's routes, {@code points:admin} only.
 * <ul>
 *   <li>{@code GET /reports/liability?asOf=&from=}: outstanding points and totals from the ledger;</li>
 *   <li>the program reports ({@code /reports/activity}, {@code funnel}, {@code redemption-by-type},
 *       {@code experiments/{experimentId}}, {@code anomalies}), answered by {@link ProgramReports};</li>
 *   <li>the parked queue records ({@code GET /admin/parked}, {@code POST /admin/parked/{messageId}/replay}),
 *       answered by {@link ParkedAdmin} in the queue package, which owns them.</li>
 * </ul>
 */
public class ReportsFunction {
    private final Boundary boundary;
    private final Requests requests;
    private final Responses responses;
    private final LiabilityReport liability;
    private final ProgramReports reports;
    private final ParkedAdmin parked;
    private final IdempotentWrites idempotent;
    private final Clock clock;

    public ReportsFunction(Boundary boundary, Requests requests, Responses responses, LiabilityReport liability,
                           ProgramReports reports, ParkedAdmin parked, IdempotentWrites idempotent, Clock clock) {
        this.boundary = boundary;
        this.requests = requests;
        this.responses = responses;
        this.liability = liability;
        this.reports = reports;
        this.parked = parked;
        this.idempotent = idempotent;
        this.clock = clock;
    }

    /** The rule sets' experiment id syntax, so every id a rule set can name can be reported. */
    private static final java.util.regex.Pattern EXPERIMENT_ID = dev.loyalty.core.rules.RuleSetParser.ID;

    /** {@code from} and {@code to} (exclusive), both required, at most 400 days apart (the core's {@link ReportWindow}). */
    static ReportWindow window(HttpApiEvent event) {
        return switch (ReportWindow.check(Requests.instantQuery(event, "from"), Requests.instantQuery(event, "to"))) {
            case ReportWindow.Check.Valid v -> v.window();
            case ReportWindow.Check.Invalid i -> throw ApiException.validation(i.field(), i.message());
        };
    }

    /** {@code bucket}: DAY (default), WEEK (ISO, Monday first) or MONTH, in the program's time zone. */
    static ProgramReports.Bucket bucket(HttpApiEvent event) {
        String b = event.query("bucket");
        if (b == null) {
            return ProgramReports.Bucket.DAY;
        }
        for (ProgramReports.Bucket x : ProgramReports.Bucket.values()) {
            if (x.name().equals(b)) {
                return x;
            }
        }
        throw ApiException.validation("bucket", "must be DAY, WEEK or MONTH");
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
            if (route.route().equals(ApiRoutes.REPORT_ACTIVITY)) {
                return responses.ok(200, reports.activity(window(event), bucket(event)));
            }
            if (route.route().equals(ApiRoutes.REPORT_FUNNEL)) {
                return responses.ok(200, reports.funnel(window(event)));
            }
            if (route.route().equals(ApiRoutes.REPORT_REDEMPTION_BY_TYPE)) {
                return responses.ok(200, reports.redemptionByType(window(event)));
            }
            if (route.route().equals(ApiRoutes.REPORT_EXPERIMENT)) {
                String id = route.params().get("experimentId");
                if (!EXPERIMENT_ID.matcher(id).matches()) {
                    throw ApiException.validation("experimentId", "must be an experiment id: a letter or digit, then up to 63 of letters, digits, '_', '.', ':', '-'");
                }
                return responses.ok(200, reports.experiment(id, window(event)));
            }
            if (route.route().equals(ApiRoutes.REPORT_ANOMALIES)) {
                return responses.ok(200, reports.anomalies(window(event)));
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
