package dev.loyalty.core.spend;

import java.util.UUID;

/** A request to release a hold without spending; see {@link SpendRules#voidHold}. */
public record VoidCommand(UUID holdId) {
}
