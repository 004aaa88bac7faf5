package dev.loyalty.core.reference;

import dev.loyalty.core.Refusal;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The one rule that decides "same request or not" for every write (earn, redeem, hold,
 * capture, void, reversal, transfer, adjustment), whatever the Idempotency-Key: a member's
 * reference names one write of a kind forever (the ledger's {@code UNIQUE (member_id, kind,
 * reference)}).
 * <ul>
 *   <li>no earlier write with the reference: {@link Fresh}, the rule of the operation decides;</li>
 *   <li>an earlier write with the same {@link RequestFingerprint}: {@link Replay}, the caller
 *       answers what that write answered, read back from the ledger, and writes nothing;</li>
 *   <li>an earlier write with another fingerprint (or none stored: a write from before
 *       fingerprints, which cannot be proven equal): {@link Conflict}, 409
 *       REFERENCE_ALREADY_USED with the original transaction, and nothing changes.</li>
 * </ul>
 * Answering a changed request with the original's success would tell the caller that
 * something happened that did not (a transfer to C answered with the transfer to B).
 */
public final class ReferenceRule {

    private ReferenceRule() {
    }

    /**
     * What storage holds for the reference: the entry (or, for a hold, the hold) it produced and
     * the fingerprint stored with it (null for rows written before fingerprints existed).
     */
    public record Prior(UUID transactionId, UUID holdId, String fingerprint) {
        public static Prior entry(UUID transactionId, String fingerprint) {
            return new Prior(Objects.requireNonNull(transactionId, "transactionId"), null, fingerprint);
        }

        public static Prior hold(UUID holdId, String fingerprint) {
            return new Prior(null, Objects.requireNonNull(holdId, "holdId"), fingerprint);
        }
    }

    public sealed interface Decision {
    }

    public record Fresh() implements Decision {
    }

    public record Replay(Prior prior) implements Decision {
    }

    public record Conflict(Refusal.ReferenceAlreadyUsed refusal) implements Decision {
    }

    public static Decision decide(Optional<Prior> prior, String fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (prior.isEmpty()) {
            return new Fresh();
        }
        Prior p = prior.get();
        return fingerprint.equals(p.fingerprint()) ? new Replay(p)
                : new Conflict(new Refusal.ReferenceAlreadyUsed(p.transactionId(), p.holdId()));
    }

    /** A reference taken by a write of ANOTHER kind in the same namespace (a hold's reference used by a redeem). */
    public static Conflict takenByOther(Prior other) {
        return new Conflict(new Refusal.ReferenceAlreadyUsed(other.transactionId(), other.holdId()));
    }
}
