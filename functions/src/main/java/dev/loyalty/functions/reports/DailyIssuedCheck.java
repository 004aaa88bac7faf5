package dev.loyalty.functions.reports;

import dev.loyalty.core.reports.DailyIssuedAnomalies;
import dev.loyalty.functions.observability.Emf;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;

/**
 * The daily issued-points alarm's input: yesterday (program time zone) judged by the core's
 * rule, written as EMF metrics {@value #ISSUED_METRIC} (the day's issued points) and
 * {@value #ANOMALY_METRIC} (1 when flagged, else 0), which the CloudWatch alarm
 * {@code daily_issued_anomaly} watches. Run by the reconcile job (hourly), so the alarm hears of
 * a day within the hour after it ends; a failure here is logged and never fails reconcile.
 */
@ApplicationScoped
public class DailyIssuedCheck {
    private static final Logger LOG = Logger.getLogger(DailyIssuedCheck.class);
    public static final String ISSUED_METRIC = "DailyIssuedPoints";
    public static final String ANOMALY_METRIC = "DailyIssuedAnomaly";

    private final ProgramReports reports;
    private final Clock clock;

    public DailyIssuedCheck(ProgramReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    /** Yesterday's verdict, emitted on {@code out} under the given function dimension. */
    public DailyIssuedAnomalies.Judgement emitYesterday(PrintStream out, String function) {
        LocalDate yesterday = clock.instant().atZone(reports.zone()).toLocalDate().minusDays(1);
        DailyIssuedAnomalies.Judgement j = reports.dailyIssued(yesterday, yesterday).judgements().getFirst();
        long anomaly = switch (j) {
            case DailyIssuedAnomalies.Judgement.Flagged f -> 1;
            case DailyIssuedAnomalies.Judgement.Normal n -> 0;
            case DailyIssuedAnomalies.Judgement.Unjudged u -> 0;
        };
        Emf.emit(out, Map.of("Function", function), Map.of(ISSUED_METRIC, j.issued(), ANOMALY_METRIC, anomaly));
        return j;
    }

    /** As {@link #emitYesterday(PrintStream, String)} on stdout; never throws. */
    public void emitYesterdaySafely(String function) {
        try {
            DailyIssuedAnomalies.Judgement j = emitYesterday(System.out, function);
            LOG.infof("daily issued check: %s", j);
        } catch (RuntimeException e) {
            LOG.warnf("daily issued check failed (the alarm sees no data for this run): %s", e.toString());
        }
    }
}
