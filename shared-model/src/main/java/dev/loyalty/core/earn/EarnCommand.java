package dev.loyalty.core.earn;

import java.time.Instant;

/**
 * An earn request exactly as received: nothing is validated here, {@link EarnRule} does that, so
 * every malformed input becomes a typed rejection instead of an exception.
 *
 * @param occurredAt  business time of the earn; null means now
 * @param description free text for the member's statement; null means none
 */
public record EarnCommand(String memberId, long points, String type, String reference,
                          Instant occurredAt, String description) {
}
