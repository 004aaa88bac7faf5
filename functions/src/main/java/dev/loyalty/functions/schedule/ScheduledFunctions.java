package dev.loyalty.functions.schedule;

import dev.loyalty.functions.observability.Emf;
import io.quarkus.funqy.Funq;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Lambdas {@code expire-sweep} and {@code reconcile}, invoked by EventBridge Scheduler with a
 * scheduled event; each answers with its report. Reconcile also writes the CloudWatch
 * Embedded Metric Format line {@code ReconcileDiscrepancies}, which the alarm watches.
 */
public class ScheduledFunctions {
    private static final Logger LOG = Logger.getLogger(ScheduledFunctions.class);
    private final ExpireSweep sweep;
    private final Reconcile reconcile;

    public ScheduledFunctions(ExpireSweep sweep, Reconcile reconcile) {
        this.sweep = sweep;
        this.reconcile = reconcile;
    }

    @Funq("expire-sweep")
    public ExpireSweep.Report expireSweep(Map<String, Object> scheduledEvent) {
        ExpireSweep.Report report = sweep.run();
        LOG.infof("expire-sweep (event %s): %s", eventId(scheduledEvent), report);
        Emf.emit(Map.of("Function", "expire-sweep"), Map.of("PointsExpired",
                report.pointsExpiredByType().values().stream().mapToLong(Long::longValue).sum(),
                "LotsExpired", report.lotsExpired(), "HoldsReleased", report.holdsReleased()));
        return report;
    }

    @Funq("reconcile")
    public Reconcile.Report reconcile(Map<String, Object> scheduledEvent) {
        // The schedule's event detail may ask for {"mode": "incremental"}; full otherwise.
        Object detail = scheduledEvent == null ? null : scheduledEvent.get("detail");
        boolean incremental = detail instanceof Map<?, ?> d && "incremental".equals(d.get("mode"));
        Reconcile.Report report = incremental ? reconcile.incremental() : reconcile.run();
        LOG.infof("reconcile (event %s): %d discrepancies over %d members", eventId(scheduledEvent),
                report.discrepancyCount(), report.membersChecked());
        Emf.emit(Map.of("Function", "reconcile"), Map.of("ReconcileDiscrepancies", report.discrepancyCount()));
        return report;
    }

    private static Object eventId(Map<String, Object> event) {
        return event == null ? null : event.get("id");
    }
}
