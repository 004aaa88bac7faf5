package dev.loyalty.functions.http;

import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;

import java.util.List;
import java.util.Map;

/** Routing inside a function: the event must be one of the routes this function serves. */
public final class Routes {
    private Routes() {
    }

    public static final List<ApiRoute> EARN = List.of(ApiRoutes.EARN, ApiRoutes.EVENTS, ApiRoutes.RULES_PUBLISH,
            ApiRoutes.RULES_GET, ApiRoutes.RULES_SIMULATE, ApiRoutes.TIERS_PUBLISH, ApiRoutes.TIERS_GET);
    public static final List<ApiRoute> REDEEM = List.of(ApiRoutes.REDEEM, ApiRoutes.HOLD, ApiRoutes.CAPTURE,
            ApiRoutes.VOID, ApiRoutes.REVERSAL, ApiRoutes.TRANSFER, ApiRoutes.ADJUSTMENT, ApiRoutes.CLOSE,
            ApiRoutes.REWARD_PUT, ApiRoutes.REWARD_STOCK, ApiRoutes.REWARDS, ApiRoutes.REDEMPTION, ApiRoutes.REDEMPTIONS,
            ApiRoutes.REDEMPTION_FULFIL, ApiRoutes.REDEMPTION_CANCEL);
    /** The reward and redemption routes of the redeem Lambda ({@code dev.loyalty.functions.rewards.RewardRoutes}). */
    public static final List<ApiRoute> REWARDS = List.of(ApiRoutes.REWARD_PUT, ApiRoutes.REWARD_STOCK, ApiRoutes.REWARDS,
            ApiRoutes.REDEMPTION, ApiRoutes.REDEMPTIONS, ApiRoutes.REDEMPTION_FULFIL, ApiRoutes.REDEMPTION_CANCEL);
    public static final List<ApiRoute> REPORTS = List.of(ApiRoutes.LIABILITY, ApiRoutes.REPORT_ACTIVITY,
            ApiRoutes.REPORT_FUNNEL, ApiRoutes.REPORT_REDEMPTION_BY_TYPE, ApiRoutes.REPORT_EXPERIMENT, ApiRoutes.REPORT_ANOMALIES,
            ApiRoutes.PARKED, ApiRoutes.PARKED_REPLAY);
    public static final List<ApiRoute> BALANCE = List.of(ApiRoutes.BALANCE, ApiRoutes.HISTORY, ApiRoutes.STATEMENT,
            ApiRoutes.MEMBER_TIER, ApiRoutes.LOTS, ApiRoutes.HOLDS);

    public record Match(ApiRoute route, Map<String, String> params) {
        public String memberId() {
            return params.get("memberId");
        }
    }

    public static Match match(HttpApiEvent event, List<ApiRoute> served) {
        return switch (ApiRoutes.resolve(served, event.method(), event.path())) {
            case ApiRoutes.Resolution.Found f -> new Match(f.route(), f.pathParameters());
            case ApiRoutes.Resolution.MethodNotAllowed m -> throw new ApiException(ApiError.METHOD_NOT_ALLOWED,
                    event.method() + " is not allowed on " + event.path(), Map.of("allowed", m.allowed()));
            case ApiRoutes.Resolution.NotFound n -> throw new ApiException(ApiError.NOT_FOUND,
                    "no route for " + event.method() + " " + event.path());
        };
    }
}
