package dev.loyalty.functions.http;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The authenticated caller, from the claims that API Gateway's JWT authorizer (or the local
 * runner, which checks tokens the same way) puts in {@code requestContext.authorizer.jwt.claims}.
 *
 * <p>Rules: {@code points:admin} may do everything; {@code points:earn} may earn for any member;
 * with no scope a member acts on its own id only.
 */
public record Caller(String subject, Set<String> scopes) {
    public static final String ADMIN = "points:admin";
    public static final String EARN = "points:earn";
    /** A fulfilment or shop system: may fulfil or cancel any member's redemptions. */
    public static final String FULFIL = "points:fulfil";

    /** 401 when the event carries no identity at all. */
    public static Caller from(HttpApiEvent event) {
        HttpApiEvent.RequestContext ctx = event.requestContext();
        if (ctx == null || ctx.authorizer() == null || ctx.authorizer().jwt() == null
                || ctx.authorizer().jwt().claims() == null) {
            throw new ApiException(ApiError.UNAUTHORIZED, "no authenticated identity on the request");
        }
        Map<String, Object> claims = ctx.authorizer().jwt().claims();
        Object sub = claims.get("sub");
        if (!(sub instanceof String s) || s.isBlank()) {
            throw new ApiException(ApiError.UNAUTHORIZED, "token has no subject");
        }
        Set<String> scopes = new LinkedHashSet<>();
        Object scope = claims.get("scope");
        if (scope instanceof String str) {
            scopes.addAll(Arrays.asList(str.trim().split("\\s+")));
        } else if (scope instanceof Collection<?> list) {
            list.forEach(x -> scopes.add(String.valueOf(x)));
        }
        if (ctx.authorizer().jwt().scopes() != null) {
            scopes.addAll(ctx.authorizer().jwt().scopes());
        }
        scopes.remove("");
        return new Caller(s, Set.copyOf(scopes));
    }

    public boolean isAdmin() {
        return scopes.contains(ADMIN);
    }

    public void requireEarn() {
        if (!isAdmin() && !scopes.contains(EARN)) {
            throw new ApiException(ApiError.FORBIDDEN, "earning needs scope points:earn or points:admin");
        }
    }

    /** Member routes: an admin, or the member itself. */
    public void requireMember(String memberId) {
        if (!isAdmin() && !subject.equals(memberId)) {
            throw new ApiException(ApiError.FORBIDDEN, "caller may act on its own member id only");
        }
    }

    /** Fulfil or cancel a redemption: points:fulfil or an admin. */
    public boolean canFulfil() {
        return isAdmin() || scopes.contains(FULFIL);
    }

    public void requireAdmin() {
        if (!isAdmin()) {
            throw new ApiException(ApiError.FORBIDDEN, "needs scope points:admin");
        }
    }
}
