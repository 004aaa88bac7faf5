package dev.loyalty.functions.spend;

import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.CloseCommand;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;
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

import java.util.Set;
import java.util.UUID;

/**
 * Lambda {@code redeem}: spending routes. Redeem, holds (place, capture, void), reversals and
 * transfers, each through the idempotency layer and one PostgreSQL transaction.
 */
public class RedeemFunction {
    private final Boundary boundary;
    private final Requests requests;
    private final Responses responses;
    private final IdempotentWrites idempotent;
    private final SpendService service;
    private final dev.loyalty.functions.rewards.RewardRoutes rewards;

    public RedeemFunction(Boundary boundary, Requests requests, Responses responses, IdempotentWrites idempotent,
                          SpendService service, dev.loyalty.functions.rewards.RewardRoutes rewards) {
        this.rewards = rewards;
        this.boundary = boundary;
        this.requests = requests;
        this.responses = responses;
        this.idempotent = idempotent;
        this.service = service;
    }

    @Funq("redeem")
    public HttpApiResponse redeem(HttpApiEvent event) {
        return boundary.handle(event, () -> {
            Routes.Match route = Routes.match(event, Routes.REDEEM);
            if (dev.loyalty.functions.rewards.RewardRoutes.serves(route.route())) {
                return rewards.handle(event, route);
            }
            String memberId = route.memberId();
            Caller caller = Caller.from(event);
            if (route.route().equals(ApiRoutes.REVERSAL) || route.route().equals(ApiRoutes.ADJUSTMENT)
                    || route.route().equals(ApiRoutes.CLOSE)) {
                caller.requireAdmin(); // the contract lists neither among a member's own actions
            } else {
                caller.requireMember(memberId);
            }
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, route.route(), raw, () -> {
                if (!MemberId.isValid(memberId)) {
                    throw ApiException.validation("memberId", "must be 1 to 64 characters of [A-Za-z0-9_.:-]");
                }
                MemberId member = new MemberId(memberId);
                // Voiding answers 200 (nothing is created); every other spending write creates a transaction or hold.
                int status = route.route().equals(ApiRoutes.VOID) || route.route().equals(ApiRoutes.CLOSE) ? 200 : 201;
                return respond(dispatch(route, member, raw), status, event.requestId());
            });
        });
    }

    private SpendResult dispatch(Routes.Match route, MemberId member, String raw) {
        ApiRoute r = route.route();
        if (r.equals(ApiRoutes.REDEEM)) {
            JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("points", "reference", "description"));
            return service.redeem(member, new RedeemCommand(b.requiredLong("points"), b.requiredString("reference"),
                    b.optionalString("description")));
        }
        if (r.equals(ApiRoutes.HOLD)) {
            JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("points", "reference", "ttlSeconds"));
            return service.hold(member, new HoldCommand(b.requiredLong("points"), b.requiredString("reference"),
                    b.optionalLong("ttlSeconds")));
        }
        if (r.equals(ApiRoutes.CAPTURE)) {
            JsonBody b = requests.jsonObject(raw, true).allowOnly(Set.of("points"));
            return service.capture(member, new CaptureCommand(uuid(route, "holdId"), b.optionalLong("points")));
        }
        if (r.equals(ApiRoutes.VOID)) {
            requests.jsonObject(raw, true).allowOnly(Set.of());
            return service.voidHold(member, new VoidCommand(uuid(route, "holdId")));
        }
        if (r.equals(ApiRoutes.REVERSAL)) {
            JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("points", "reference", "reason"));
            return service.reverse(member, new ReversalCommand(uuid(route, "transactionId"), b.optionalLong("points"),
                    b.requiredString("reference"), b.optionalString("reason")));
        }
        if (r.equals(ApiRoutes.TRANSFER)) {
            JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("toMemberId", "points", "reference", "description"));
            return service.transfer(member, new TransferCommand(b.requiredString("toMemberId"), b.requiredLong("points"),
                    b.requiredString("reference"), b.optionalString("description")));
        }
        if (r.equals(ApiRoutes.ADJUSTMENT)) {
            JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("points", "type", "reference", "reason"));
            return service.adjust(member, new AdjustCommand(b.requiredLong("points"),
                    b.optionalString("type"), b.requiredString("reference"), b.requiredString("reason")));
        }
        if (r.equals(ApiRoutes.CLOSE)) {
            JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("reason", "reference"));
            return service.close(member, new CloseCommand(b.requiredString("reason"), b.requiredString("reference")));
        }
        throw new IllegalStateException("route not dispatched: " + r);
    }

    /** A path id that is not a UUID names nothing: the same 404 as an unknown id. */
    private static UUID uuid(Routes.Match route, String name) {
        try {
            return UUID.fromString(route.params().get(name));
        } catch (IllegalArgumentException e) {
            ApiError error = name.equals("holdId") ? ApiError.HOLD_NOT_FOUND : ApiError.TRANSACTION_NOT_FOUND;
            throw new ApiException(error, name + " " + route.params().get(name) + " does not exist");
        }
    }

    private HttpApiResponse respond(SpendResult result, int status, String requestId) {
        return switch (result) {
            case SpendResult.Done d -> d.replayed()
                    ? IdempotentWrites.withHeader(responses.ok(status, d.receipt()), IdempotentWrites.REPLAYED_HEADER, "true")
                    : responses.ok(status, d.receipt());
            case SpendResult.Refused r -> responses.refusal(r.refusal(), requestId);
        };
    }
}
