package dev.loyalty.functions.earn;

import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Boundary;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.JsonBody;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.http.Routes;
import dev.loyalty.functions.idempotency.IdempotentWrites;
import io.quarkus.funqy.Funq;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Lambda {@code earn}: {@code POST /members/{memberId}/earn} through API Gateway, and the
 * program's routes ({@code /members/{memberId}/events}, {@code /program/rules...}, see
 * {@link dev.loyalty.functions.program.ProgramRoutes}).
 */
public class EarnFunction {
    static final Set<String> FIELDS = Set.of("points", "type", "reference", "occurredAt", "description", "expiresAt");

    private final Boundary boundary;
    private final Requests requests;
    private final Responses responses;
    private final EarnService service;
    private final IdempotentWrites idempotent;
    private final dev.loyalty.functions.program.ProgramRoutes program;

    public EarnFunction(Boundary boundary, Requests requests, Responses responses, EarnService service,
                        IdempotentWrites idempotent, dev.loyalty.functions.program.ProgramRoutes program) {
        this.idempotent = idempotent;
        this.program = program;
        this.boundary = boundary;
        this.requests = requests;
        this.responses = responses;
        this.service = service;
    }

    @Funq("earn")
    public HttpApiResponse earn(HttpApiEvent event) {
        return boundary.handle(event, () -> {
            Routes.Match route = Routes.match(event, Routes.EARN);
            if (!route.route().equals(dev.loyalty.contract.ApiRoutes.EARN)) {
                // Business events and the program's rule sets share the earn Lambda (its role and scaling).
                return program.handle(event, route);
            }
            String memberId = route.memberId();
            Caller caller = Caller.from(event);
            caller.requireEarn();
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, route.route(), raw, () -> earn(event, caller, memberId, raw));
        });
    }

    private HttpApiResponse earn(HttpApiEvent event, Caller caller, String memberId, String raw) {
        JsonBody body = requests.jsonObject(raw, false).allowOnly(FIELDS);
        // The occurredAt and expiresAt bounds are the core's (EarnRule), the same for the queue.
        Instant occurredAt = body.optionalInstant("occurredAt");
        Instant expiresAt = body.optionalInstant("expiresAt");
        if (expiresAt != null && !caller.isAdmin()) {
            // Setting a lot's expiry is for migrating lots from another system, an operator's act.
            throw new ApiException(ApiError.FORBIDDEN, "expiresAt needs scope points:admin");
        }
        EarnCommand command = new EarnCommand(memberId, body.requiredLong("points"), body.requiredString("type"),
                body.requiredString("reference"), occurredAt, body.optionalString("description"), expiresAt);
        return respond(service.earn(command), event.requestId());
    }

    HttpApiResponse respond(EarnResult result, String requestId) {
        return switch (result) {
            case EarnResult.Applied a -> responses.ok(201, a.receipt());
            // The idempotency record was gone (expired, or lost in a crash) but the ledger had it.
            case EarnResult.AlreadyApplied a -> IdempotentWrites.withHeader(responses.ok(201, a.receipt()),
                    IdempotentWrites.REPLAYED_HEADER, "true");
            case EarnResult.Refused r -> responses.refusal(r.refusal(), requestId);
        };
    }
}
