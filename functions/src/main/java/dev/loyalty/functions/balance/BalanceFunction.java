package dev.loyalty.functions.balance;

import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Boundary;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.http.Routes;
import dev.loyalty.functions.store.LedgerStore;
import io.quarkus.funqy.Funq;

import java.time.Clock;
import java.time.Instant;

/**
 * Lambda {@code balance}: {@code GET /members/{id}/balance}, {@code GET /members/{id}/transactions},
 * {@code GET /members/{id}/statement}, {@code GET /members/{id}/tier}, and (admin) {@code GET /members/{id}/lots}
 * and {@code GET /members/{id}/holds}.
 */
public class BalanceFunction {
    public static final int HISTORY_LIMIT_DEFAULT = 50;
    public static final int HISTORY_LIMIT_MAX = 200;
    /** A statement answers at most this many entries; a busier window must be narrowed (400). */
    public static final int STATEMENT_ITEMS_MAX = 1_000;
    /** The longest statement window, as for reports. */
    public static final java.time.Duration STATEMENT_RANGE_MAX = java.time.Duration.ofDays(400);

    private final Boundary boundary;
    private final Responses responses;
    private final BalanceQueries queries;
    private final Clock clock;
    private final PointTypeCatalog catalog;
    private final LotsAndHolds lotsAndHolds;

    public BalanceFunction(Boundary boundary, Responses responses, BalanceQueries queries, Clock clock,
                           PointTypeCatalog catalog, LotsAndHolds lotsAndHolds) {
        this.catalog = catalog;
        this.lotsAndHolds = lotsAndHolds;
        this.boundary = boundary;
        this.responses = responses;
        this.queries = queries;
        this.clock = clock;
    }

    @Funq("balance")
    public HttpApiResponse balance(HttpApiEvent event) {
        return boundary.handle(event, () -> {
            Routes.Match route = Routes.match(event, Routes.BALANCE);
            String raw = route.memberId();
            Caller caller = Caller.from(event);
            boolean operatorView = route.route().equals(ApiRoutes.LOTS) || route.route().equals(ApiRoutes.HOLDS);
            if (operatorView) {
                caller.requireAdmin();
            } else {
                caller.requireMember(raw);
            }
            if (!MemberId.isValid(raw)) {
                throw ApiException.validation("memberId", "must be 1 to 64 characters of [A-Za-z0-9_.:-]");
            }
            MemberId member = new MemberId(raw);
            if (route.route().equals(ApiRoutes.BALANCE)) {
                return queries.balance(member, clock.instant())
                        .map(view -> responses.ok(200, view))
                        .orElseThrow(() -> notFound(raw));
            }
            if (route.route().equals(ApiRoutes.MEMBER_TIER)) {
                return queries.tier(member, clock.instant())
                        .map(view -> responses.ok(200, view))
                        .orElseThrow(() -> notFound(raw));
            }
            if (route.route().equals(ApiRoutes.STATEMENT)) {
                return statement(event, member, caller.isAdmin());
            }
            if (operatorView) {
                int limit = limit(event, LotsAndHolds.LIMIT_DEFAULT, LotsAndHolds.LIMIT_MAX);
                String cursor = event.query("cursor");
                if (route.route().equals(ApiRoutes.HOLDS)) {
                    return lotsAndHolds.holds(member, cursor, limit, clock.instant())
                            .map(page -> responses.ok(200, page)).orElseThrow(() -> notFound(raw));
                }
                String status = event.query("status");
                if (status != null && !status.equals("OPEN") && !status.equals("ALL")) {
                    throw ApiException.validation("status", "must be OPEN (lots with points left, the default) or ALL");
                }
                return lotsAndHolds.lots(member, "ALL".equals(status), cursor, limit, clock.instant())
                        .map(page -> responses.ok(200, page)).orElseThrow(() -> notFound(raw));
            }
            return history(event, member, caller.isAdmin());
        });
    }

    private HttpApiResponse statement(HttpApiEvent event, MemberId member, boolean audit) {
        Instant from = Requests.instantQuery(event, "from");
        Instant to = Requests.instantQuery(event, "to");
        if (from == null) {
            throw ApiException.validation("from", "is required (an ISO-8601 instant)");
        }
        if (to == null) {
            throw ApiException.validation("to", "is required (an ISO-8601 instant, exclusive)");
        }
        if (!from.isBefore(to)) {
            throw ApiException.validation("to", "must be after from");
        }
        if (to.isAfter(from.plus(STATEMENT_RANGE_MAX))) {
            throw ApiException.validation("to", "must be at most " + STATEMENT_RANGE_MAX.toDays() + " days after from");
        }
        try {
            return queries.statement(member, from, to, STATEMENT_ITEMS_MAX, audit)
                    .map(view -> responses.ok(200, view))
                    .orElseThrow(() -> notFound(member.value()));
        } catch (BalanceQueries.TooManyEntries e) {
            throw ApiException.validation("to", "the window holds " + e.count + " entries, more than "
                    + STATEMENT_ITEMS_MAX + "; narrow it");
        }
    }

    /** {@code limit}: 1 to {@code max}, {@code dflt} when absent. */
    private static int limit(HttpApiEvent event, int dflt, int max) {
        int limit = dflt;
        String limitRaw = event.query("limit");
        if (limitRaw != null) {
            try {
                limit = Integer.parseInt(limitRaw);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > max) {
                throw ApiException.validation("limit", "must be a whole number from 1 to " + max);
            }
        }
        return limit;
    }

    private HttpApiResponse history(HttpApiEvent event, MemberId member, boolean audit) {
        int limit = limit(event, HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX);
        Instant from = Requests.instantQuery(event, "from");
        Instant to = Requests.instantQuery(event, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.validation("to", "must be after from");
        }
        EntryKind kind = null;
        String kindRaw = event.query("kind");
        if (kindRaw != null) {
            try {
                kind = EntryKind.valueOf(kindRaw);
            } catch (IllegalArgumentException e) {
                throw ApiException.validation("kind", "must be one of " + java.util.Arrays.stream(EntryKind.values())
                        .map(Enum::name).collect(java.util.stream.Collectors.joining(", ")));
            }
        }
        String type = event.query("type");
        if (type != null && catalog.find(type).isEmpty()) {
            // Like an unknown kind: a filter that can never match is a mistake, not an empty page.
            throw ApiException.validation("type", "must be a configured point type");
        }
        String cursor = event.query("cursor");
        Long before = cursor == null ? null : HistoryCursor.decode(cursor);
        LedgerStore.HistoryFilter filter = new LedgerStore.HistoryFilter(from, to, type, kind);
        return queries.history(member, filter, before, limit, audit)
                .map(page -> responses.ok(200, page))
                .orElseThrow(() -> notFound(member.value()));
    }

    private static ApiException notFound(String memberId) {
        return new ApiException(ApiError.MEMBER_NOT_FOUND, "member " + memberId + " has no account");
    }
}
