package dev.loyalty.core.earn;

import java.time.Instant;

/**
 * An earn request exactly as received: nothing is validated here, {@link EarnRule} does that, so
 * every malformed input becomes a typed rejection instead of an exception.
 *
 * @param occurredAt  business time of the earn; null means now
 * @param description free text for the member's statement; null means none
 * @param expiresAt   the lot's expiry instead of the point type's policy (lots migrated from
 *                    another system); null means the policy decides. Who may send it is the
 *                    adapter's business (the API: points:admin only)
 */
public record EarnCommand(String memberId, long points, String type, String reference,
                          Instant occurredAt, String description, Instant expiresAt) {

    /** An earn whose lot expires by the point type's policy. */
    public EarnCommand(String memberId, long points, String type, String reference,
                       Instant occurredAt, String description) {
        this(memberId, points, type, reference, occurredAt, description, null);
    }
}
