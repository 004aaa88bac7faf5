package dev.loyalty.functions.events;

import dev.loyalty.functions.observability.Emf;
import io.quarkus.funqy.Funq;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;

/**
 * Lambdas {@code outbox-relay} (every minute) and {@code notices} (daily), invoked by
 * EventBridge Scheduler with a scheduled event; each answers with its report. The relay writes
 * the EMF metric {@code OutboxOldestUnpublishedAgeSeconds} (0 when nothing waits), which the
 * alarm watches, and {@code OutboxPublished}, {@code OutboxUnpublished}.
 */
public class EventFunctions {
    private static final Logger LOG = Logger.getLogger(EventFunctions.class);
    private final OutboxRelay relay;
    private final ExpiringNotices notices;

    public EventFunctions(OutboxRelay relay, ExpiringNotices notices) {
        this.relay = relay;
        this.notices = notices;
    }

    @Funq("outbox-relay")
    public OutboxRelay.Report outboxRelay(Map<String, Object> scheduledEvent) {
        OutboxRelay.Report report = relay.run();
        LOG.infof("outbox-relay (event %s): %s", scheduledEvent == null ? null : scheduledEvent.get("id"), report);
        Map<String, Long> metrics = new HashMap<>();
        metrics.put("OutboxOldestUnpublishedAgeSeconds",
                report.oldestUnpublishedAgeSeconds() == null ? 0L : report.oldestUnpublishedAgeSeconds());
        metrics.put("OutboxUnpublished", report.unpublishedLeft());
        metrics.put("OutboxPublished", report.published());
        metrics.put("OutboxPublishFailures", report.failed());
        Emf.emit(Map.of("Function", "outbox-relay"), metrics);
        return report;
    }

    @Funq("notices")
    public ExpiringNotices.Report notices(Map<String, Object> scheduledEvent) {
        ExpiringNotices.Report report = notices.run();
        LOG.infof("notices (event %s): %s", scheduledEvent == null ? null : scheduledEvent.get("id"), report);
        Emf.emit(Map.of("Function", "notices"), Map.of("ExpiringNotices", report.notices()));
        return report;
    }
}
