package dev.loyalty.core.spend;

/**
 * A request to reserve points, exactly as received; {@link SpendRules#placeHold} validates it.
 *
 * @param ttlSeconds how long the hold lasts; null means {@link Hold#HOLD_TTL_SECONDS_DEFAULT}
 */
public record HoldCommand(long points, String reference, Long ttlSeconds) {
}
