package dev.loyalty.core.earn;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.EntryKind;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Limits;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointType;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Points;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.earn.EarnOutcome.Earned;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/** Earning as a pure function of (state, command, now, catalog, ids). */
public final class EarnRule {

    private EarnRule() {
    }

    /**
     * Validates {@code command} in precedence order and, if it passes, returns the EARN entry,
     * its lot and the next account state. Nothing is persisted; the caller appends the entry
     * against {@code state.version()}.
     *
     * @param state the member's current state; must belong to the command's member
     * @param ids   source of fresh ids, drawn entry id first, then lot id
     * @throws IllegalArgumentException if {@code state} is another member's (a caller bug, not bad input)
     */
    public static EarnOutcome apply(AccountState state, EarnCommand command, Instant now,
                                    PointTypeCatalog catalog, Supplier<UUID> ids) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(ids, "ids");

        if (!MemberId.isValid(command.memberId())) {
            return refused(new Refusal.InvalidMemberId("memberId", command.memberId()));
        }
        if (!state.memberId().value().equals(command.memberId())) {
            throw new IllegalArgumentException("account state belongs to another member");
        }
        if (!Points.isValidAmount(command.points())) {
            return refused(new Refusal.InvalidPoints(command.points()));
        }
        Optional<PointType> type = catalog.find(command.type());
        if (type.isEmpty()) {
            return refused(new Refusal.UnknownPointType(command.type()));
        }
        if (!Limits.isValidReference(command.reference())) {
            return refused(new Refusal.InvalidReference(command.reference()));
        }
        Instant occurredAt = command.occurredAt() == null ? now : command.occurredAt();
        Instant latestAllowed = now.plusSeconds(Limits.FUTURE_SKEW_SECONDS);
        if (occurredAt.isAfter(latestAllowed)) {
            return refused(new Refusal.OccurredInFuture(occurredAt, latestAllowed));
        }
        if (occurredAt.isBefore(Limits.OCCURRED_AT_MIN)) {
            return refused(new Refusal.OccurredTooLongAgo(occurredAt, Limits.OCCURRED_AT_MIN));
        }
        if (!Limits.isValidDescription(command.description())) {
            return refused(new Refusal.InvalidText("description", command.description().length(), false));
        }
        if (command.expiresAt() != null && !Limits.isValidExpiresAt(occurredAt, command.expiresAt())) {
            return refused(new Refusal.InvalidExpiresAt(command.expiresAt(), occurredAt));
        }
        long balanceAfter;
        try {
            balanceAfter = Math.addExact(state.balance(), command.points());
        } catch (ArithmeticException overflow) {
            return refused(new Refusal.BalanceOverflow(state.balance(), command.points()));
        }

        MemberId member = state.memberId();
        PointType pointType = type.get();
        long sequence = Math.addExact(state.version(), 1L);
        // Order matters: callers with deterministic id sources (tests, replays) rely on it.
        UUID entryId = Objects.requireNonNull(ids.get(), "entry id");
        UUID lotId = Objects.requireNonNull(ids.get(), "lot id");
        Instant expiresAt = command.expiresAt() != null ? command.expiresAt()
                : pointType.policy().expiresAt(occurredAt, catalog.programZone()).orElse(null);

        Lot lot = new Lot(lotId, member, pointType.code(), command.points(), command.points(),
                occurredAt, expiresAt);
        LedgerEntry entry = new LedgerEntry(entryId, member, sequence, EntryKind.EARN, command.points(),
                balanceAfter, pointType.code(), command.reference(), command.description(), occurredAt, now);
        return new Earned(entry, lot, new AccountState(member, balanceAfter, sequence));
    }

    private static EarnOutcome refused(Refusal refusal) {
        return new EarnOutcome.Refused(refusal);
    }
}
