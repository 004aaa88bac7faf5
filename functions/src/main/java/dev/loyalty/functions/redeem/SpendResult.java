package dev.loyalty.functions.redeem;

import dev.loyalty.core.spend.SpendOutcome;
import dev.loyalty.functions.http.ApiError;

import java.util.Map;

/** What a spending operation did, as the boundary sees it. */
public sealed interface SpendResult {
    /** Applied now, or found already applied ({@code replayed}): answer {@code status} with {@code body}. */
    record Done(int status, Object body, boolean replayed) implements SpendResult {
    }

    /** The core refused; nothing changed. */
    record Refused(SpendOutcome.Rejected rejection) implements SpendResult {
    }

    /** Refused before the core ran (unknown member or transaction, reference clash); nothing changed. */
    record Problem(ApiError error, String detail, Map<String, Object> extra) implements SpendResult {
    }
}
