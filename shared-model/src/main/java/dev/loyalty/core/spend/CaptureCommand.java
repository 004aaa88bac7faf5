package dev.loyalty.core.spend;

import java.util.UUID;

/**
 * A request to spend a hold's points, exactly as received; {@link SpendRules#capture} validates it.
 *
 * @param points how many of the held points to spend; null means all. The rest is released.
 */
public record CaptureCommand(UUID holdId, Long points) {
}
