package dev.loyalty.core.tiers;

import dev.loyalty.core.EntryKind;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A ledger entry as the rebuild of qualifying days reads it ({@link QualifyingPoints#rebuild}):
 * an EARN adds its points on its {@code occurredAt} day, of its type; a REVERSAL or a RETURN
 * takes back from the entry it points at ({@code reverses}); every other kind, and a take-back
 * of anything but an EARN, leaves qualifying points alone.
 */
public record QualifyingSource(UUID entryId, EntryKind kind, long points, String pointType, Instant occurredAt,
                               UUID reverses) {
    public QualifyingSource {
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }
}
