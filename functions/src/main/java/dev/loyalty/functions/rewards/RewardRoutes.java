package dev.loyalty.functions.rewards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.RedemptionCommand;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.JsonBody;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.http.Routes;
import dev.loyalty.functions.idempotency.IdempotentWrites;
import dev.loyalty.functions.spend.SpendResult;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Set;
import java.util.UUID;

/**
 * The reward and redemption routes on the redeem Lambda. Who may do what: the catalog's writes
 * need {@code points:admin}, its list any token; a member redeems and lists for itself (or an
 * admin for it); fulfil needs {@code points:fulfil} or admin; cancel too, or the member itself
 * (the rule allows a cancel from PENDING only, for everyone). Every POST goes through the
 * idempotency layer.
 */
@ApplicationScoped
public class RewardRoutes {
    static final int LIST_LIMIT = 100;

    private final Requests requests;
    private final Responses responses;
    private final IdempotentWrites idempotent;
    private final RewardCatalog catalog;
    private final RedemptionService redemptions;
    private final Clock clock;

    public RewardRoutes(Requests requests, Responses responses, IdempotentWrites idempotent, RewardCatalog catalog,
                        RedemptionService redemptions, Clock clock) {
        this.requests = requests;
        this.responses = responses;
        this.idempotent = idempotent;
        this.catalog = catalog;
        this.redemptions = redemptions;
        this.clock = clock;
    }

    public static boolean serves(ApiRoute route) {
        return Routes.REWARDS.contains(route);
    }

    public HttpApiResponse handle(HttpApiEvent event, Routes.Match route) {
        ApiRoute r = route.route();
        Caller caller = Caller.from(event);
        if (r.equals(ApiRoutes.REWARDS)) {
            return responses.ok(200, catalog.list());
        }
        if (r.equals(ApiRoutes.REWARD_PUT)) {
            caller.requireAdmin();
            JsonBody b = requests.jsonObject(requests.rawBody(event), false)
                    .allowOnly(Set.of("name", "cost", "initialStock", "perMemberLimit", "active"));
            Long limit = b.optionalLong("perMemberLimit");
            if (limit != null && (limit < 1 || limit > Integer.MAX_VALUE)) {
                throw ApiException.validation("perMemberLimit", "perMemberLimit must be at least 1");
            }
            RewardCatalog.Definition d = new RewardCatalog.Definition(b.requiredString("name"), b.requiredLong("cost"),
                    b.optionalLong("initialStock"), limit == null ? null : limit.intValue(), bool(b, "active", true));
            return switch (catalog.put(route.params().get("rewardId"), d, caller.subject(), clock.instant())) {
                case RewardCatalog.Saved.Done done -> responses.ok(done.created() ? 201 : 200, done.reward());
                case RewardCatalog.Saved.Refused f -> responses.refusal(f.refusal(), event.requestId());
            };
        }
        if (r.equals(ApiRoutes.REWARD_STOCK)) {
            caller.requireAdmin();
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, r, raw, () -> {
                JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("delta", "reference"));
                String rewardId = route.params().get("rewardId");
                return switch (catalog.changeStock(rewardId, b.requiredLong("delta"), b.requiredString("reference"),
                        caller.subject(), clock.instant())) {
                    case RewardCatalog.StockChanged.Done d -> replayed(responses.ok(201,
                            new RewardReceipts.Stock(rewardId, d.stock())), d.replayed());
                    case RewardCatalog.StockChanged.Refused f -> responses.refusal(f.refusal(), event.requestId());
                };
            });
        }
        String memberId = route.memberId();
        if (r.equals(ApiRoutes.REDEMPTIONS)) {
            caller.requireMember(memberId);
            MemberId member = member(memberId);
            if (!redemptions.exists(member)) {
                throw new ApiException(ApiError.MEMBER_NOT_FOUND, "member " + memberId + " has no account");
            }
            return responses.ok(200, redemptions.list(member, LIST_LIMIT));
        }
        if (r.equals(ApiRoutes.REDEMPTION)) {
            caller.requireMember(memberId);
        } else if (!caller.canFulfil()) {
            // fulfil: points:fulfil or admin; cancel: those, or the member itself (the rule: PENDING only)
            if (r.equals(ApiRoutes.REDEMPTION_FULFIL) || !caller.subject().equals(memberId)) {
                throw new ApiException(ApiError.FORBIDDEN, "needs scope points:fulfil or points:admin");
            }
        }
        requests.idempotencyKey(event);
        String raw = requests.rawBody(event);
        return idempotent.run(event, caller, r, raw, () -> {
            MemberId member = member(memberId);
            SpendResult result;
            int status;
            if (r.equals(ApiRoutes.REDEMPTION)) {
                JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("rewardId", "quantity", "reference"));
                Long q = b.optionalLong("quantity");
                Integer quantity = q == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q));
                result = redemptions.redeem(member, new RedemptionCommand(b.requiredString("rewardId"), quantity,
                        b.requiredString("reference")));
                status = 201;
            } else if (r.equals(ApiRoutes.REDEMPTION_FULFIL)) {
                JsonBody b = requests.jsonObject(raw, true).allowOnly(Set.of("fulfilmentRef"));
                result = redemptions.fulfil(member, redemptionId(route), b.optionalString("fulfilmentRef"));
                status = 200;
            } else {
                JsonBody b = requests.jsonObject(raw, false).allowOnly(Set.of("reason"));
                result = redemptions.cancel(member, redemptionId(route), b.requiredString("reason"));
                status = 200;
            }
            return switch (result) {
                case SpendResult.Done d -> replayed(responses.ok(status, d.receipt()), d.replayed());
                case SpendResult.Refused f -> responses.refusal(f.refusal(), event.requestId());
            };
        });
    }

    private static HttpApiResponse replayed(HttpApiResponse response, boolean replayed) {
        return replayed ? IdempotentWrites.withHeader(response, IdempotentWrites.REPLAYED_HEADER, "true") : response;
    }

    private static MemberId member(String memberId) {
        if (!MemberId.isValid(memberId)) {
            throw ApiException.validation("memberId", "must be 1 to 64 characters of [A-Za-z0-9_.:-]");
        }
        return new MemberId(memberId);
    }

    /** A path id that is not a UUID names nothing: the same 404 as an unknown id. */
    private static UUID redemptionId(Routes.Match route) {
        try {
            return UUID.fromString(route.params().get("redemptionId"));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.REDEMPTION_NOT_FOUND, "redemption " + route.params().get("redemptionId")
                    + " does not exist");
        }
    }

    private static boolean bool(JsonBody b, String field, boolean absent) {
        JsonNode n = b.node().get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw ApiException.validation(field, field + " must be true or false");
        }
        return n.booleanValue();
    }
}
