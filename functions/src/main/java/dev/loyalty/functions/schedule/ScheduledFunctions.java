package dev.loyalty.functions.schedule;

import dev.loyalty.functions.observability.Emf;
import io.quarkus.funqy.Funq;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Lambdas {@code expire-sweep}, {@code reconcile}, {@code tier-review} and {@code report-rollup}, invoked by EventBridge Scheduler with a
 * scheduled event; each answers with its report. Reconcile also writes the CloudWatch
 * Embedded Metric Format line {@code ReconcileDiscrepancies}, which the alarm watches, and the
 * daily issued-points check of yesterday ({@code DailyIssuedPoints}, {@code DailyIssuedAnomaly}).
 */
public class ScheduledFunctions {
    private static final Logger LOG = Logger.getLogger(ScheduledFunctions.class);
    private final ExpireSweep sweep;
    private final Reconcile reconcile;
    private final dev.loyalty.functions.tiers.TierReview tierReview;
    private final dev.loyalty.functions.reports.DailyIssuedCheck dailyIssued;
    private final dev.loyalty.functions.reports.ReportRollup reportRollup;

    public ScheduledFunctions(ExpireSweep sweep, Reconcile reconcile, dev.loyalty.functions.tiers.TierReview tierReview,
                              dev.loyalty.functions.reports.DailyIssuedCheck dailyIssued,
                              dev.loyalty.functions.reports.ReportRollup reportRollup) {
        this.reportRollup = reportRollup;
        this.sweep = sweep;
        this.reconcile = reconcile;
        this.tierReview = tierReview;
        this.dailyIssued = dailyIssued;
    }

    @Funq("tier-review")
    public dev.loyalty.functions.tiers.TierReview.Report tierReview(Map<String, Object> scheduledEvent) {
        var report = dev.loyalty.functions.store.Actor.as(new dev.loyalty.functions.store.Actor(
                "tier-review", dev.loyalty.functions.store.Actor.SCHEDULE, String.valueOf(eventId(scheduledEvent))),
                tierReview::run);
        LOG.infof("tier-review (event %s): %s", eventId(scheduledEvent), report);
        Emf.emit(Map.of("Function", "tier-review"), Map.of("TierChanges", report.changes(),
                "MembersReviewed", report.membersReviewed(), "TierReviewUnfinished", report.finished() ? 0L : 1L));
        return report;
    }

    /**
     * The rollup of closed days the activity and funnel reports read; {@code ReportRollupBehind}
     * (1 when the run left work undone or found another run busy) is what the alarm watches.
     */
    @Funq("report-rollup")
    public dev.loyalty.functions.reports.ReportRollup.Report reportRollup(Map<String, Object> scheduledEvent) {
        var report = reportRollup.run();
        LOG.infof("report-rollup (event %s): %s", eventId(scheduledEvent), report);
        Emf.emit(Map.of("Function", "report-rollup"), Map.of("ReportRollupDays", (long) report.daysRolled(),
                "ReportRollupLateEntries", report.lateEntries(), "ReportRollupBehind", report.finished() ? 0L : 1L));
        return report;
    }

    @Funq("expire-sweep")
    public ExpireSweep.Report expireSweep(Map<String, Object> scheduledEvent) {
        ExpireSweep.Report report = dev.loyalty.functions.store.Actor.as(new dev.loyalty.functions.store.Actor(
                "expire-sweep", dev.loyalty.functions.store.Actor.SCHEDULE, String.valueOf(eventId(scheduledEvent))), sweep::run);
        LOG.infof("expire-sweep (event %s): %s", eventId(scheduledEvent), report);
        Emf.emit(Map.of("Function", "expire-sweep"), Map.of("PointsExpired",
                report.pointsExpiredByType().values().stream().mapToLong(Long::longValue).sum(),
                "LotsExpired", report.lotsExpired(), "HoldsReleased", report.holdsReleased()));
        return report;
    }

    /** The answer to an event reconcile does not understand: nothing was checked, and it says why. */
    public record Refused(String job, boolean refused, String reason) {
    }

    @Funq("reconcile")
    public Object reconcile(Map<String, Object> scheduledEvent) {
        String mode;
        try {
            mode = mode(scheduledEvent);
        } catch (IllegalArgumentException e) {
            LOG.warnf("reconcile refused event %s: %s", eventId(scheduledEvent), e.getMessage());
            return new Refused("reconcile", true, e.getMessage());
        }
        Reconcile.Report report = mode.equals("incremental") ? reconcile.incremental() : reconcile.run();
        LOG.infof("reconcile (event %s): %d discrepancies over %d members", eventId(scheduledEvent),
                report.discrepancyCount(), report.membersChecked());
        Emf.emit(Map.of("Function", "reconcile"), Map.of("ReconcileDiscrepancies", report.discrepancyCount()));
        dailyIssued.emitYesterdaySafely("reconcile");
        return report;
    }

    /**
     * The mode a scheduled event asks for: its {@code detail} (an object, or the JSON string
     * EventBridge Scheduler passes when the input is text) may hold {@code "mode"}: "full" (also
     * when absent) or "incremental". Anything else, or an event that is not a scheduled event
     * (an SQS batch, say), is refused rather than run as a full reconcile nobody asked for.
     */
    static String mode(Map<String, Object> event) {
        if (event == null || event.containsKey("Records") || !(event.get("detail-type") instanceof String)) {
            throw new IllegalArgumentException("not a scheduled event (no detail-type)");
        }
        Object detail = event.get("detail");
        if (detail instanceof String text) {
            if (text.isBlank()) {
                detail = null;
            } else {
                try {
                    detail = JSON.readValue(text, Map.class);
                } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
                    throw new IllegalArgumentException("detail is a string but not a JSON object");
                }
            }
        }
        if (detail != null && !(detail instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("detail must be a JSON object");
        }
        Object mode = detail == null ? null : ((Map<?, ?>) detail).get("mode");
        if (mode == null || "full".equals(mode)) {
            return "full";
        }
        if ("incremental".equals(mode)) {
            return "incremental";
        }
        throw new IllegalArgumentException("unknown mode (expected full or incremental)");
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static Object eventId(Map<String, Object> event) {
        return event == null ? null : event.get("id");
    }
}
