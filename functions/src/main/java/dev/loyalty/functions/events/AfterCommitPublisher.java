package dev.loyalty.functions.events;

import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.OutboxEvent;
import dev.loyalty.functions.store.OutboxListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Low latency: right after a write commits, the function that made it publishes the write's
 * events, in the same invocation. It takes the same row locks as the relay ({@link OutboxDelivery}),
 * so it publishes a member's event only when it holds every earlier unpublished one of that
 * member (and then publishes those first); otherwise it leaves the member to the relay.
 *
 * <p>Never the reason a committed write fails or hangs: every PutEvents is bounded
 * ({@code loyalty.events.call-timeout-ms}), the whole publish by {@link #BUDGET_CALLS} calls'
 * worth of time, and any failure is logged and left to the relay.
 */
@ApplicationScoped
public class AfterCommitPublisher implements OutboxListener {
    private static final Logger LOG = Logger.getLogger(AfterCommitPublisher.class);
    /** The publish after a write may take this many call timeouts at most (a catch-up of older events included). */
    static final int BUDGET_CALLS = 2;

    private final Db db;
    private final OutboxDelivery delivery;
    private final EventBus bus;
    private final EventsConfig config;
    private final Clock clock;

    public AfterCommitPublisher(Db db, OutboxDelivery delivery, EventBus bus, EventsConfig config, Clock clock) {
        this.db = db;
        this.delivery = delivery;
        this.bus = bus;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void committed(List<OutboxEvent> events, java.util.Set<String> inOrder) {
        if (!config.publishAfterCommit() || events.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + BUDGET_CALLS * config.callTimeoutMs() * 1_000_000L;
        if (events.stream().allMatch(e -> inOrder.contains(e.memberId()))) {
            publishAtOnce(events, deadline);
        } else {
            catchUp(events, deadline);
        }
    }

    /**
     * The common case: every earlier event of these members was published when the write saw it
     * (under the member's row lock), so these cannot overtake one. Publish, then mark what was
     * accepted in ONE autocommit round trip that skips rows the relay holds (it publishes and
     * marks those itself). A relay that takes the same events meanwhile only duplicates them,
     * with the same eventId; a later write of the member sees them unmarked and takes the
     * locked path, which never publishes its own event before these.
     */
    private void publishAtOnce(List<OutboxEvent> events, long deadline) {
        try {
            EventBus.Delivery d = bus.publish(events, deadline);
            if (!d.accepted().isEmpty()) {
                db.read(tx -> {
                    delivery.markPublishedSkippingLocked(tx, d.accepted(), clock.instant());
                    return null;
                });
            }
            if (d.accepted().size() < events.size()) {
                LOG.debugf("after commit: %d of %d events published, the rest is the relay's (%s)",
                        d.accepted().size(), events.size(), d.lastError());
            }
        } catch (RuntimeException e) {
            LOG.warnf("after commit: publishing %d events failed, the relay will deliver them: %s", events.size(), e.toString());
        }
    }

    /** An earlier event of a member was waiting: take the relay's locks and publish from the oldest. */
    private void catchUp(List<OutboxEvent> events, long deadline) {
        Map<String, Long> upTo = new LinkedHashMap<>();
        events.forEach(e -> upTo.merge(e.memberId(), e.sequence(), Math::max));
        String[] members = upTo.keySet().toArray(new String[0]);
        long[] bounds = upTo.values().stream().mapToLong(Long::longValue).toArray();
        try {
            EventBus.Delivery d = db.inTransaction(tx -> {
                List<OutboxEvent> mine = OutboxDelivery.prefixes(delivery.lockUpTo(tx, members, bounds));
                if (mine.isEmpty()) {
                    return null;
                }
                EventBus.Delivery done = bus.publish(mine, deadline);
                delivery.markPublished(tx, done.accepted(), clock.instant());
                return done;
            });
            if (d == null || d.accepted().size() < events.size()) {
                LOG.debugf("after commit: %s of %d events published, the rest is the relay's (%s)",
                        d == null ? 0 : d.accepted().size(), events.size(), d == null ? "another publisher holds an earlier event" : d.lastError());
            }
        } catch (RuntimeException e) {
            LOG.warnf("after commit: publishing %d events failed, the relay will deliver them: %s", events.size(), e.toString());
        }
    }
}
