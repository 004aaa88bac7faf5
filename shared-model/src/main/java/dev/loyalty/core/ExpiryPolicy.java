package dev.loyalty.core;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/** When points of a type stop being spendable. */
public sealed interface ExpiryPolicy {

    /**
     * The instant at which points earned at {@code occurredAt} expire, or empty if they never do.
     * Lots are expired at any {@code now} with {@code !now.isBefore(expiresAt)}.
     */
    Optional<Instant> expiresAt(Instant occurredAt, ZoneId programZone);

    /** Points of this type never expire. */
    record Never() implements ExpiryPolicy {
        @Override
        public Optional<Instant> expiresAt(Instant occurredAt, ZoneId programZone) {
            Objects.requireNonNull(occurredAt, "occurredAt");
            Objects.requireNonNull(programZone, "programZone");
            return Optional.empty();
        }
    }

    /**
     * Points are good through the whole local day {@code days} days after the day they were
     * earned, so members see a calendar date rather than a time of day. The cut-off is computed
     * on local dates, never by adding {@code days * 86400} seconds, so a DST change in between
     * does not move it off midnight.
     */
    record AfterDays(int days) implements ExpiryPolicy {

        public AfterDays {
            if (days < 1) {
                throw new IllegalArgumentException("days must be >= 1, was " + days);
            }
        }

        @Override
        public Optional<Instant> expiresAt(Instant occurredAt, ZoneId programZone) {
            Objects.requireNonNull(occurredAt, "occurredAt");
            Objects.requireNonNull(programZone, "programZone");
            LocalDate lastDay = LocalDate.ofInstant(occurredAt, programZone).plusDays(days);
            // Where a DST gap swallows midnight (e.g. Chile), the day starts at the first instant
            // that exists on that date, which atStartOfDay returns.
            return Optional.of(lastDay.plusDays(1).atStartOfDay(programZone).toInstant());
        }
    }
}
