package dev.loyalty.core;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One immutable line of a member's history. {@code points} is signed (credit positive);
 * {@code sequence} is the entry's 1-based position for the member, equal to the account version
 * after it. {@code occurredAt} is business time (when the purchase happened), {@code recordedAt}
 * is when the ledger accepted it; they differ for back-dated or slightly clock-skewed input.
 */
public record LedgerEntry(UUID entryId, MemberId memberId, long sequence, EntryKind kind, long points,
                          long balanceAfter, String pointType, String reference, String description,
                          Instant occurredAt, Instant recordedAt) {

    public LedgerEntry {
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(recordedAt, "recordedAt");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1, was " + sequence);
        }
        if (!kind.allowsPoints(points)) {
            throw new IllegalArgumentException(kind + " entry cannot carry " + points + " points");
        }
        // Same rules as the API applies, so anything stored also fits the storage columns.
        if (pointType != null && !PointType.isValidCode(pointType)) {
            throw new IllegalArgumentException("invalid point type code");
        }
        if (!Limits.isValidReference(reference)) {
            throw new IllegalArgumentException("invalid reference");
        }
        if (!Limits.isValidDescription(description)) {
            throw new IllegalArgumentException("invalid description");
        }
    }
}
