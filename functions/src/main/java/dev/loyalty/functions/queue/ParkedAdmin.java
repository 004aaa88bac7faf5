package dev.loyalty.functions.queue;

import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.store.Db;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Map;

/**
 * The operators' door to parked queue records (served by the {@code reports} Lambda, admin
 * only): list the open ones, and replay one, with a corrected body if one is sent, through the
 * same batch path as SQS, exactly once (the ledger's unique reference).
 */
@ApplicationScoped
public class ParkedAdmin {
    public static final int LIST_LIMIT_DEFAULT = 50;

    private final ParkedMessages parked;
    private final QueueEarnService queue;
    private final Responses responses;
    private final Db db;
    private final Clock clock;

    public ParkedAdmin(ParkedMessages parked, QueueEarnService queue, Responses responses, Db db, Clock clock) {
        this.parked = parked;
        this.queue = queue;
        this.responses = responses;
        this.db = db;
        this.clock = clock;
    }

    /** {@code GET /admin/parked?limit=}: the open records, oldest first. */
    public HttpApiResponse list(HttpApiEvent event) {
        int limit = LIST_LIMIT_DEFAULT;
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

    /** {@code POST /admin/parked/{messageId}/replay}: applied (200), or parked again (422 PARKED_AGAIN). */
    public HttpApiResponse replay(String messageId, String correctedBody) {
        ParkedMessages.Parked p = db.read(tx -> parked.find(tx, messageId))
                .filter(x -> x.replayedAt() == null)
                .orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no open parked message " + messageId));
        String body = correctedBody.isBlank() ? p.rawBody() : correctedBody;
        QueueEarnService.BatchReport report = queue.replay(messageId, body);
        if (!report.retry().isEmpty()) {
            throw new ApiException(ApiError.SERVICE_UNAVAILABLE, "the replay hit a transient failure; retry it");
        }
        if (report.applied() + report.duplicates() != 1) {
            return responses.problem(ApiError.PARKED_AGAIN, "the record still cannot be applied; it was parked again"
                    + " with its reason (GET /admin/parked)", Map.of("messageId", messageId, "parkedAgain", true), null);
        }
        db.inTransaction(tx -> {
            parked.markReplayed(tx, p, clock.instant());
            return null;
        });
        return responses.ok(200, Map.of("messageId", messageId, "applied", report.applied() == 1,
                "duplicate", report.duplicates() == 1, "parkedAgain", false));
    }
}
