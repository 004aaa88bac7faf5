package dev.loyalty.core.returns;

import java.time.Instant;

/**
 * A return as a producer sends it: {@code event: "return"} with its own {@code reference}, the
 * purchase's {@code originalReference}, and the {@code amount} returned in minor units (null:
 * all that is not yet returned). {@code occurredAt} null means now.
 */
public record ReturnCommand(String memberId, String reference, String originalReference, Long amount,
                            Instant occurredAt, String description) {
}
