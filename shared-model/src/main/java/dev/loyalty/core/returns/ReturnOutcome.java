package dev.loyalty.core.returns;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.Refusal;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** What a return decided. */
public sealed interface ReturnOutcome {

    /**
     * The return applied: per award what it owed, took and could not take (in the purchase's
     * award order), the lots after, the account after, the amount this return returned and the
     * purchase's returned total after it.
     */
    record Returned(List<AwardReturn> awards, List<Lot> changedLots, AccountState after, long amount,
                    long returnedSoFar, Instant occurredAt) implements ReturnOutcome {
        public Returned {
            awards = List.copyOf(awards);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        /** Points taken back, as a negative number (0 when nothing could be taken). */
        public long points() {
            return -awards.stream().mapToLong(AwardReturn::taken).reduce(0L, Math::addExact);
        }

        public long shortfall() {
            return awards.stream().mapToLong(AwardReturn::shortfall).reduce(0L, Math::addExact);
        }

        /** The RETURN entries, in award order. */
        public List<LedgerEntry> entries() {
            return awards.stream().map(AwardReturn::entry).filter(Objects::nonNull).toList();
        }
    }

    record Refused(Refusal refusal) implements ReturnOutcome {
    }
}
