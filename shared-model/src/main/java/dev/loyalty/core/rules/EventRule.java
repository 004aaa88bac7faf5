package dev.loyalty.core.rules;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A business event's awards as ledger effects: one EARN entry and one lot per award, each made
 * by the earn rule (the same expiry policy and balance bounds as a direct earn), chained through
 * the member's running state. The entries carry the event's reference; the award's rule id tells
 * them apart (and from a direct earn with the same reference).
 */
public final class EventRule {
    private EventRule() {
    }

    public record Credited(Award award, LedgerEntry entry, Lot lot) {
    }

    public sealed interface Outcome {
        record Applied(List<Credited> credits, AccountState after) implements Outcome {
            public Applied {
                credits = List.copyOf(credits);
            }
        }

        record Refused(Refusal refusal) implements Outcome {
        }
    }

    public static Outcome apply(AccountState state, BusinessEvent event, Evaluation evaluation, Instant occurredAt,
                                Instant now, PointTypeCatalog catalog, Supplier<UUID> ids) {
        Objects.requireNonNull(occurredAt, "occurredAt");
        AccountState running = state;
        List<Credited> credits = new ArrayList<>();
        for (Award award : evaluation.awards()) {
            EarnCommand command = new EarnCommand(event.memberId(), award.points(), award.pointType(), event.reference(),
                    occurredAt, event.description(), null);
            switch (EarnRule.apply(running, command, now, catalog, ids)) {
                case EarnOutcome.Refused r -> {
                    return new Outcome.Refused(r.refusal());
                }
                case EarnOutcome.Earned e -> {
                    // The rule's return window: the lot counts in the balance but is not
                    // spendable until its end (Lot#isSpendableAt), by time alone.
                    Lot lot = e.lot().withPendingUntil(award.pendingUntil(occurredAt, catalog.programZone()));
                    credits.add(new Credited(award, e.entry(), lot));
                    running = e.after();
                }
            }
        }
        return new Outcome.Applied(credits, running);
    }
}
