package dev.loyalty.core.simulation;

import java.util.Objects;
import java.util.UUID;

/**
 * What one operation answered, reduced to what two independent implementations must agree on.
 *
 * @param ok        the operation was applied
 * @param code      the API error code when not ok (VALIDATION_FAILED, MEMBER_NOT_FOUND, ...); null when ok
 * @param id        when ok: the transaction id (earn, redeem, capture, reversal; for a transfer the
 *                  sender's TRANSFER_OUT entry) or the hold id (hold, void); null for expire
 * @param available the amount the error reports: {@code available} on INSUFFICIENT_POINTS, the
 *                  points still reversible on NOT_REVERSIBLE; 0 otherwise
 */
public record OpResult(boolean ok, String code, UUID id, long available) {

    public OpResult {
        if (ok == (code != null)) {
            throw new IllegalArgumentException("a result has a code exactly when it is not ok");
        }
        if (available < 0) {
            throw new IllegalArgumentException("available must be >= 0, was " + available);
        }
    }

    public static OpResult ok(UUID id) {
        return new OpResult(true, null, id, 0L);
    }

    public static OpResult rejected(String code) {
        return new OpResult(false, Objects.requireNonNull(code, "code"), null, 0L);
    }

    public static OpResult insufficient(long available) {
        return new OpResult(false, "INSUFFICIENT_POINTS", null, available);
    }

    public static OpResult notReversible(long reversible) {
        return new OpResult(false, "NOT_REVERSIBLE", null, reversible);
    }

    /** The part two implementations must agree on: ids differ between them, so they are left out. */
    public String outcome() {
        if (ok) {
            return "ok";
        }
        return code.equals("INSUFFICIENT_POINTS") || code.equals("NOT_REVERSIBLE") ? code + "(" + available + ")" : code;
    }
}
