package dev.loyalty.contract;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The route table of the contract, the single source for the functions' routing, the local
 * runner's dispatch, the OpenAPI check and the Terraform check.
 */
public final class ApiRoutes {
    private ApiRoutes() {
    }

    public static final ApiRoute EARN = new ApiRoute("POST", "/members/{memberId}/earn", "earn");
    /** A business event (points:earn or points:admin): the program's rules compute the points. */
    public static final ApiRoute EVENTS = new ApiRoute("POST", "/members/{memberId}/events", "earn");
    /** Program configuration (points:admin): publish a rule set version, read the one in force, dry-run an event. */
    public static final ApiRoute RULES_PUBLISH = new ApiRoute("PUT", "/program/rules", "earn");
    public static final ApiRoute RULES_GET = new ApiRoute("GET", "/program/rules", "earn");
    public static final ApiRoute RULES_SIMULATE = new ApiRoute("POST", "/program/rules/simulate", "earn");
    /** Tier set versions (points:admin): publish, read the one in force. */
    public static final ApiRoute TIERS_PUBLISH = new ApiRoute("PUT", "/program/tiers", "earn");
    public static final ApiRoute TIERS_GET = new ApiRoute("GET", "/program/tiers", "earn");
    public static final ApiRoute REDEEM = new ApiRoute("POST", "/members/{memberId}/redeem", "redeem");
    public static final ApiRoute HOLD = new ApiRoute("POST", "/members/{memberId}/holds", "redeem");
    public static final ApiRoute CAPTURE = new ApiRoute("POST", "/members/{memberId}/holds/{holdId}/capture", "redeem");
    public static final ApiRoute VOID = new ApiRoute("POST", "/members/{memberId}/holds/{holdId}/void", "redeem");
    public static final ApiRoute REVERSAL = new ApiRoute("POST", "/members/{memberId}/transactions/{transactionId}/reversal", "redeem");
    public static final ApiRoute TRANSFER = new ApiRoute("POST", "/members/{memberId}/transfers", "redeem");
    /** An operator's explicit correction (points:admin), with a reason; shows in the history. */
    public static final ApiRoute ADJUSTMENT = new ApiRoute("POST", "/members/{memberId}/adjustments", "redeem");
    /** An operator closes an account (points:admin): what is left is forfeited, later writes are refused. */
    public static final ApiRoute CLOSE = new ApiRoute("POST", "/members/{memberId}/close", "redeem");
    /** The reward catalog (contract Part 2): create or update (admin), change the stock (admin), list (any token). */
    public static final ApiRoute REWARD_PUT = new ApiRoute("PUT", "/rewards/{rewardId}", "redeem");
    public static final ApiRoute REWARD_STOCK = new ApiRoute("POST", "/rewards/{rewardId}/stock", "redeem");
    public static final ApiRoute REWARDS = new ApiRoute("GET", "/rewards", "redeem");
    /** Redemptions: redeem a reward (stock and points in one transaction), list, fulfil, cancel. */
    public static final ApiRoute REDEMPTION = new ApiRoute("POST", "/members/{memberId}/redemptions", "redeem");
    public static final ApiRoute REDEMPTIONS = new ApiRoute("GET", "/members/{memberId}/redemptions", "redeem");
    public static final ApiRoute REDEMPTION_FULFIL = new ApiRoute("POST", "/members/{memberId}/redemptions/{redemptionId}/fulfil", "redeem");
    public static final ApiRoute REDEMPTION_CANCEL = new ApiRoute("POST", "/members/{memberId}/redemptions/{redemptionId}/cancel", "redeem");
    public static final ApiRoute BALANCE = new ApiRoute("GET", "/members/{memberId}/balance", "balance");
    public static final ApiRoute HISTORY = new ApiRoute("GET", "/members/{memberId}/transactions", "balance");
    /** Opening balance, the entries oldest first, closing balance, for a bounded window. */
    public static final ApiRoute STATEMENT = new ApiRoute("GET", "/members/{memberId}/statement", "balance");
    /** The member's tier exactly as of now, with its history. */
    public static final ApiRoute MEMBER_TIER = new ApiRoute("GET", "/members/{memberId}/tier", "balance");
    /** A member's lots (open ones, or all) in spending order, and its holds: the console's member page (points:admin). */
    public static final ApiRoute LOTS = new ApiRoute("GET", "/members/{memberId}/lots", "balance");
    public static final ApiRoute HOLDS = new ApiRoute("GET", "/members/{memberId}/holds", "balance");
    public static final ApiRoute LIABILITY = new ApiRoute("GET", "/reports/liability", "reports");
    /** Program reports (points:admin, contract Part 2 "Reports"): from/to windows of at most 400 days. */
    public static final ApiRoute REPORT_ACTIVITY = new ApiRoute("GET", "/reports/activity", "reports");
    public static final ApiRoute REPORT_FUNNEL = new ApiRoute("GET", "/reports/funnel", "reports");
    public static final ApiRoute REPORT_REDEMPTION_BY_TYPE = new ApiRoute("GET", "/reports/redemption-by-type", "reports");
    public static final ApiRoute REPORT_EXPERIMENT = new ApiRoute("GET", "/reports/experiments/{experimentId}", "reports");
    public static final ApiRoute REPORT_ANOMALIES = new ApiRoute("GET", "/reports/anomalies", "reports");
    /** Operator routes (points:admin): parked queue records, and their replay. */
    public static final ApiRoute PARKED = new ApiRoute("GET", "/admin/parked", "reports");
    public static final ApiRoute PARKED_REPLAY = new ApiRoute("POST", "/admin/parked/{messageId}/replay", "reports");

    /** Routes that are served today. Routes above that are not listed land with their issue. */
    public static final List<ApiRoute> SERVED = List.of(EARN, EVENTS, RULES_PUBLISH, RULES_GET, RULES_SIMULATE, TIERS_PUBLISH, TIERS_GET, REDEEM, HOLD, CAPTURE, VOID, REVERSAL, TRANSFER, ADJUSTMENT,
            CLOSE, REWARD_PUT, REWARD_STOCK, REWARDS, REDEMPTION, REDEMPTIONS, REDEMPTION_FULFIL, REDEMPTION_CANCEL,
            BALANCE, HISTORY, STATEMENT, MEMBER_TIER, LOTS, HOLDS, LIABILITY, REPORT_ACTIVITY, REPORT_FUNNEL, REPORT_REDEMPTION_BY_TYPE,
            REPORT_EXPERIMENT, REPORT_ANOMALIES, PARKED, PARKED_REPLAY);

    /** The outcome of routing a method and path against a set of routes. */
    public sealed interface Resolution {
        record Found(ApiRoute route, Map<String, String> pathParameters) implements Resolution {
        }

        /** The path exists but not for this method: 405 with the allowed methods. */
        record MethodNotAllowed(List<String> allowed) implements Resolution {
        }

        record NotFound() implements Resolution {
        }
    }

    public static Resolution resolve(List<ApiRoute> routes, String method, String path) {
        List<String> allowed = new java.util.ArrayList<>();
        for (ApiRoute r : routes) {
            Optional<Map<String, String>> params = r.match(path);
            if (params.isPresent()) {
                if (r.method().equals(method)) {
                    return new Resolution.Found(r, params.get());
                }
                allowed.add(r.method());
            }
        }
        return allowed.isEmpty() ? new Resolution.NotFound() : new Resolution.MethodNotAllowed(List.copyOf(allowed));
    }
}
