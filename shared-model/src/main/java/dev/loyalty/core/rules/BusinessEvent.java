package dev.loyalty.core.rules;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A business event as a producer sends it: {@code amount} in minor currency units (nullable),
 * {@code attributes} string to string (sorted copy, so iteration and fingerprints are
 * deterministic), {@code occurredAt} null for "now".
 */
public record BusinessEvent(String memberId, String event, String reference, Instant occurredAt, Long amount,
                            String currency, Map<String, String> attributes, String description) {
    public BusinessEvent {
        attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
    }
}
