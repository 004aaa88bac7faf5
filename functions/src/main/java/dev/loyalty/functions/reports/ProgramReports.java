package dev.loyalty.functions.reports;

import dev.loyalty.core.reports.DailyIssuedAnomalies;
import dev.loyalty.core.reports.ReportWindow;
import dev.loyalty.functions.config.LoyaltyConfig;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.store.ReportReads;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The program reports of contract Part 2 ("Reports"). Each is ONE SQL statement over a window
 * of at most 400 days ({@link ReportWindow}), found through the time indexes of migrations V17 and
 * V21, with a row limit; activity and funnel read the rollup of closed days ({@link ReportRollup})
 * and the ledger only for the rest of their window (same answers as the ledger alone); each reads where {@link ReportReads} says (a replica when configured) and
 * says so in {@code readFrom}. Points count on the day of their {@code occurredAt} in the
 * program's time zone.
 *
 * <p>Definitions (all positive magnitudes except {@code adjusted}, which is signed):
 * issued = EARN entries' points; redeemed = REDEEM entries' (redeems, captures, reward
 * redemptions); expired = EXPIRE entries'; reversed = the points reversals moved either way;
 * returned = RETURN entries' (issue 18); adjusted = ADJUSTMENT entries' net. By point type,
 * redeemed and expired are what those entries took from lots of the type (their allocations).
 */
@ApplicationScoped
public class ProgramReports {
    /** The most rows one report statement may return; more means the window is too busy to answer whole. */
    public static final int ROW_LIMIT = 50_000;
    /** Variants of one experiment answered at most. */
    public static final int VARIANTS_MAX = 100;
    /** Decimal places of shares and medians (half-even). */
    public static final int SCALE = 2;

    public enum Bucket { DAY, WEEK, MONTH }

    // The statements, one per report (ReportPlansTest holds their plans to the time indexes).
    // Activity and funnel read the rollup of closed days (ReportRollup, migration V21) and the
    // ledger for the rest. Their parameters after the window: the rolled days [d1, re) as dates and
    // as instants r1 = start(d1), r2 = start(re) (r1 = r2: none), and the rollup's watermark g.
    // The ledger is read for [from, r1) and [r2, to) (the open parts: edges, today, days not rolled
    // yet) and, in [r1, r2), for entries recorded since g (not in the rollup yet).
    /** $1 from, $2 to, $3 zone, $4 bucket, $5 row limit, $6 r1, $7 r2, $8 g, $9 d1, $10 re. */
    public static final String ACTIVITY_SQL = """
                WITH e AS (
                  SELECT member_id, entry_id, kind, points, point_type, occurred_at, false AS late FROM ledger_entries
                  WHERE occurred_at >= $1 AND occurred_at < LEAST($6::timestamptz, $2::timestamptz)
                  UNION ALL
                  SELECT member_id, entry_id, kind, points, point_type, occurred_at, false FROM ledger_entries
                  WHERE occurred_at >= GREATEST($7::timestamptz, $1::timestamptz) AND occurred_at < $2
                  UNION ALL
                  SELECT member_id, entry_id, kind, points, point_type, occurred_at, true FROM ledger_entries
                  WHERE recorded_at >= $8 AND occurred_at >= $6 AND occurred_at < $7
                ),
                eb AS (SELECT e.*, date_trunc($4::text, occurred_at AT TIME ZONE $3::text) AS b FROM e),
                active AS (
                  SELECT b, COUNT(DISTINCT member_id) AS n FROM (
                    SELECT b, member_id FROM eb
                    WHERE NOT late OR NOT EXISTS (SELECT 1 FROM report_member_days m WHERE m.member_id = eb.member_id
                      AND m.zone = $3::text AND m.day = (eb.occurred_at AT TIME ZONE $3::text)::date AND m.entries > 0)
                    UNION ALL
                    SELECT date_trunc($4::text, day::timestamp), member_id FROM report_member_days
                    WHERE $4::text <> 'day' AND zone = $3::text AND day >= $9 AND day < $10 AND entries > 0
                  ) x GROUP BY b
                ),
                totals AS (
                  SELECT b, SUM(issued) AS issued, SUM(redeemed) AS redeemed, SUM(expired) AS expired, SUM(reversed) AS reversed,
                         SUM(returned) AS returned, SUM(adjusted) AS adjusted, SUM(active) AS active FROM (
                    SELECT b,
                      COALESCE(SUM(points) FILTER (WHERE kind = 'EARN'), 0) AS issued,
                      COALESCE(-SUM(points) FILTER (WHERE kind = 'REDEEM'), 0) AS redeemed,
                      COALESCE(-SUM(points) FILTER (WHERE kind = 'EXPIRE'), 0) AS expired,
                      COALESCE(SUM(abs(points)) FILTER (WHERE kind = 'REVERSAL'), 0) AS reversed,
                      COALESCE(-SUM(points) FILTER (WHERE kind = 'RETURN'), 0) AS returned,
                      COALESCE(SUM(points) FILTER (WHERE kind = 'ADJUSTMENT'), 0) AS adjusted,
                      0::bigint AS active
                    FROM eb GROUP BY b
                    UNION ALL
                    SELECT date_trunc($4::text, day::timestamp), issued, redeemed, expired, reversed, returned, adjusted,
                           CASE WHEN $4::text = 'day' THEN active_members ELSE 0 END
                    FROM report_rollup_days WHERE zone = $3::text AND day >= $9 AND day < $10
                    UNION ALL
                    SELECT b, 0, 0, 0, 0, 0, 0, n FROM active
                  ) x GROUP BY b
                ),
                by_type AS (
                  SELECT b, point_type, points AS issued, 0::bigint AS redeemed, 0::bigint AS expired
                  FROM eb WHERE kind = 'EARN'
                  UNION ALL
                  SELECT e.b, l.point_type,
                         0, CASE WHEN e.kind = 'REDEEM' THEN a.points ELSE 0 END, CASE WHEN e.kind = 'EXPIRE' THEN a.points ELSE 0 END
                  FROM eb e
                  JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id
                  JOIN lots l ON l.member_id = a.member_id AND l.lot_id = a.lot_id
                  WHERE e.kind IN ('REDEEM', 'EXPIRE')
                  UNION ALL
                  SELECT date_trunc($4::text, day::timestamp), point_type, issued, redeemed, expired
                  FROM report_rollup_day_types WHERE zone = $3::text AND day >= $9 AND day < $10
                )
                SELECT b, NULL::varchar AS point_type, issued, redeemed, expired, reversed, returned, adjusted, active FROM totals
                UNION ALL
                SELECT b, point_type, SUM(issued), SUM(redeemed), SUM(expired), 0, 0, 0, 0 FROM by_type GROUP BY b, point_type
                ORDER BY 1, 2 NULLS FIRST
                LIMIT $5""";

    /**
     * $1 from, $2 to, $3 zone, $4 r1, $5 r2, $6 g, $7 d1, $8 re. Per member and day ("pieces",
     * from the rollup or the ledger): the first earn, the first spend (a REDEEM entry or a reward
     * redemption) and the first spend at or after that day's first earn. A member's pieces lie in
     * disjoint days, so its first earn in the window is the least, and its first spend after it is
     * that day's first spend after its earn or a later day's first spend. Members with entries
     * recorded since the watermark in rolled days are read whole from the ledger.
     */
    public static final String FUNNEL_SQL = """
                WITH late AS (
                  SELECT DISTINCT member_id FROM ledger_entries WHERE recorded_at >= $6 AND occurred_at >= $4 AND occurred_at < $5
                ),
                ev AS (
                  SELECT member_id, occurred_at AS at, kind FROM ledger_entries
                  WHERE occurred_at >= $1 AND occurred_at < LEAST($4::timestamptz, $2::timestamptz) AND kind IN ('EARN', 'REDEEM')
                  UNION ALL
                  SELECT member_id, occurred_at, kind FROM ledger_entries
                  WHERE occurred_at >= GREATEST($5::timestamptz, $1::timestamptz) AND occurred_at < $2 AND kind IN ('EARN', 'REDEEM')
                  UNION ALL
                  SELECT member_id, created_at, 'REDEEM' FROM redemptions WHERE created_at >= $1 AND created_at < LEAST($4::timestamptz, $2::timestamptz)
                  UNION ALL
                  SELECT member_id, created_at, 'REDEEM' FROM redemptions WHERE created_at >= GREATEST($5::timestamptz, $1::timestamptz) AND created_at < $2
                  UNION ALL
                  SELECT e.member_id, e.occurred_at, e.kind FROM late l JOIN ledger_entries e ON e.member_id = l.member_id
                  WHERE e.occurred_at >= $4 AND e.occurred_at < $5 AND e.kind IN ('EARN', 'REDEEM')
                  UNION ALL
                  SELECT r.member_id, r.created_at, 'REDEEM' FROM late l JOIN redemptions r ON r.member_id = l.member_id
                  WHERE r.created_at >= $4 AND r.created_at < $5
                ),
                w AS (
                  SELECT member_id, (at AT TIME ZONE $3::text)::date AS d, kind, at,
                         MIN(at) FILTER (WHERE kind = 'EARN') OVER (PARTITION BY member_id, (at AT TIME ZONE $3::text)::date) AS dfe
                  FROM ev
                ),
                pieces AS (
                  SELECT member_id, MIN(dfe) AS fe, MIN(at) FILTER (WHERE kind = 'REDEEM') AS fs,
                         MIN(at) FILTER (WHERE kind = 'REDEEM' AND at >= dfe) AS fa
                  FROM w GROUP BY member_id, d
                  UNION ALL
                  SELECT member_id, first_earn_at, first_spend_at, first_spend_after_earn_at FROM report_member_days m
                  WHERE zone = $3::text AND day >= $7 AND day < $8 AND (first_earn_at IS NOT NULL OR first_spend_at IS NOT NULL)
                    AND NOT EXISTS (SELECT 1 FROM late l WHERE l.member_id = m.member_id)
                ),
                pm AS (SELECT member_id, fe, fs, fa, MIN(fe) OVER (PARTITION BY member_id) AS mfe FROM pieces),
                per AS (
                  SELECT member_id, MIN(mfe) AS first_earn, bool_or(fs IS NOT NULL) AS spent,
                         MIN(CASE WHEN fs >= mfe THEN fs ELSE fa END) AS first_after
                  FROM pm GROUP BY member_id HAVING MIN(mfe) IS NOT NULL
                )
                SELECT (SELECT COUNT(*) FROM per) AS earned_members,
                       (SELECT COUNT(*) FROM per WHERE spent) AS redeemed_members,
                       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_after - first_earn))
                        FROM per WHERE first_after IS NOT NULL) AS median_seconds""";

    public static final String REDEMPTION_BY_TYPE_SQL = """
                WITH e AS (
                  SELECT member_id, entry_id, kind, points, point_type FROM ledger_entries
                  WHERE occurred_at >= $1 AND occurred_at < $2 AND kind IN ('EARN', 'REDEEM', 'EXPIRE', 'REVERSAL')
                )
                SELECT point_type, SUM(issued) AS issued, SUM(redeemed) AS redeemed, SUM(expired) AS expired FROM (
                  SELECT point_type, points AS issued, 0::bigint AS redeemed, 0::bigint AS expired FROM e WHERE kind = 'EARN'
                  UNION ALL
                  SELECT l.point_type,
                         CASE WHEN e.kind = 'REVERSAL' AND e.points < 0 THEN -a.points ELSE 0 END,
                         CASE WHEN e.kind = 'REDEEM' THEN a.points WHEN e.kind = 'REVERSAL' AND e.points > 0 THEN -a.points ELSE 0 END,
                         CASE WHEN e.kind = 'EXPIRE' THEN a.points ELSE 0 END
                  FROM e
                  JOIN entry_allocations a ON a.member_id = e.member_id AND a.entry_id = e.entry_id
                  JOIN lots l ON l.member_id = a.member_id AND l.lot_id = a.lot_id
                  WHERE e.kind IN ('REDEEM', 'EXPIRE', 'REVERSAL')
                ) x GROUP BY point_type ORDER BY point_type LIMIT $3""";

    public static final String EXPERIMENT_SQL = """
                WITH be AS (
                  SELECT member_id, variants ->> $3 AS variant, points FROM business_events
                  WHERE occurred_at >= $1 AND occurred_at < $2 AND variants ->> $3 IS NOT NULL
                ),
                v AS (
                  SELECT variant, COUNT(DISTINCT member_id) AS members, COUNT(*) AS events, SUM(points) AS issued
                  FROM be GROUP BY variant
                ),
                m AS (SELECT DISTINCT member_id, variant FROM be),
                r AS (
                  SELECT m.variant, -SUM(e.points) AS redeemed FROM m
                  JOIN ledger_entries e ON e.member_id = m.member_id
                  WHERE e.kind = 'REDEEM' AND e.occurred_at >= $1 AND e.occurred_at < $2
                  GROUP BY m.variant
                )
                SELECT v.variant, v.members, v.events, v.issued, COALESCE(r.redeemed, 0) AS redeemed
                FROM v LEFT JOIN r ON r.variant = v.variant ORDER BY v.variant LIMIT $4""";

    public static final String DAILY_ISSUED_SQL = """
                SELECT (occurred_at AT TIME ZONE $3)::date AS day, SUM(points) AS issued FROM ledger_entries
                WHERE kind = 'EARN' AND occurred_at >= $1 AND occurred_at < $2
                GROUP BY 1 ORDER BY 1 LIMIT $4""";

    private final ReportReads reads;
    private final ZoneId zone;
    private final int thresholdPct;

    public ProgramReports(ReportReads reads, LoyaltyConfig config) {
        this.reads = reads;
        this.zone = config.program().timeZone();
        this.thresholdPct = config.alerts().dailyIssuedDeviationPct();
    }

    public ZoneId zone() {
        return zone;
    }

    public int thresholdPct() {
        return thresholdPct;
    }

    // ---- activity -----------------------------------------------------------------------

    @RegisterForReflection
    public record TypeActivity(long issued, long redeemed, long expired) {
    }

    @RegisterForReflection
    public record ActivityBucket(LocalDate start, Instant startsAt, long issued, long redeemed, long expired, long reversed,
                                 long returned, long adjusted, Map<String, TypeActivity> byType, long activeMembers) {
    }

    @RegisterForReflection
    public record Activity(Instant from, Instant to, String timeZone, Bucket bucket, String readFrom,
                           List<ActivityBucket> buckets) {
    }

    public Activity activity(ReportWindow w, Bucket bucket) {
        // One snapshot for the checkpoint and the report: a rollup step committing between the
        // two would otherwise be counted twice (in the rollup and as entries past the old watermark).
        var read = reads.readSnapshot(tx -> {
            Rolled r = rolled(tx, w);
            return bounded(tx.list(ACTIVITY_SQL, ActivityRow::of, w.from(), w.to(), zone.getId(),
                    bucket.name().toLowerCase(java.util.Locale.ROOT), ROW_LIMIT + 1, r.r1(), r.r2(), r.watermark(), r.d1(), r.re()));
        });
        Map<LocalDateTime, ActivityBucket> byStart = new TreeMap<>();
        Map<LocalDateTime, Map<String, TypeActivity>> types = new HashMap<>();
        for (ActivityRow r : read.value()) {
            if (r.pointType() == null) {
                byStart.put(r.start(), new ActivityBucket(r.start().toLocalDate(), r.start().atZone(zone).toInstant(),
                        r.issued(), r.redeemed(), r.expired(), r.reversed(), r.returned(), r.adjusted(), new TreeMap<>(), r.active()));
            } else {
                types.computeIfAbsent(r.start(), k -> new TreeMap<>()).put(r.pointType(),
                        new TypeActivity(r.issued(), r.redeemed(), r.expired()));
            }
        }
        // Every bucket the window touches, empty ones too, so a chart's axis has no holes.
        List<ActivityBucket> buckets = new ArrayList<>();
        LocalDateTime last = bucketStart(w.to().minusNanos(1), bucket);
        for (LocalDateTime s = bucketStart(w.from(), bucket); !s.isAfter(last); s = next(s, bucket)) {
            ActivityBucket b = byStart.get(s);
            if (b == null) {
                b = new ActivityBucket(s.toLocalDate(), s.atZone(zone).toInstant(), 0, 0, 0, 0, 0, 0, new TreeMap<>(), 0);
            }
            b.byType().putAll(types.getOrDefault(s, Map.of()));
            buckets.add(b);
        }
        return new Activity(w.from(), w.to(), zone.getId(), bucket, read.readFrom(), buckets);
    }

    private record ActivityRow(LocalDateTime start, String pointType, long issued, long redeemed, long expired, long reversed,
                               long returned, long adjusted, long active) {
        static ActivityRow of(Row r) {
            return new ActivityRow(r.getLocalDateTime("b"), r.getString("point_type"), r.getLong("issued"), r.getLong("redeemed"),
                    r.getLong("expired"), r.getLong("reversed"), r.getLong("returned"), r.getLong("adjusted"), r.getLong("active"));
        }
    }

    /** The start of the bucket holding {@code t}, in the program's zone (weeks are ISO: Monday). */
    LocalDateTime bucketStart(Instant t, Bucket bucket) {
        LocalDate d = t.atZone(zone).toLocalDate();
        return switch (bucket) {
            case DAY -> d.atStartOfDay();
            case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay();
            case MONTH -> d.withDayOfMonth(1).atStartOfDay();
        };
    }

    private static LocalDateTime next(LocalDateTime s, Bucket bucket) {
        return switch (bucket) {
            case DAY -> s.plusDays(1);
            case WEEK -> s.plusWeeks(1);
            case MONTH -> s.plusMonths(1);
        };
    }

    // ---- funnel -------------------------------------------------------------------------

    @RegisterForReflection
    public record Ratio(long numerator, long denominator) {
    }

    @RegisterForReflection
    public record Funnel(Instant from, Instant to, String timeZone, String readFrom, long earnedMembers, long redeemedMembers,
                         Ratio conversion, BigDecimal conversionPct, BigDecimal medianDaysToFirstRedeem) {
    }

    /**
     * Members who earned in the window, and how many of them redeemed (a REDEEM entry, which every
     * redeem, capture and reward redemption writes, or a reward redemption) in it. The median is
     * over those who redeemed at or after their first earn in the window: days (decimal) from that
     * first earn to their first redeem after it.
     */
    public Funnel funnel(ReportWindow w) {
        var read = reads.readSnapshot(tx -> { // one snapshot, as activity
            Rolled k = rolled(tx, w);
            return tx.query(FUNNEL_SQL, w.from(), w.to(), zone.getId(), k.r1(), k.r2(), k.watermark(), k.d1(), k.re())
                    .iterator().next();
        });
        Row r = read.value();
        long earned = r.getLong("earned_members");
        long redeemed = r.getLong("redeemed_members");
        Double medianSeconds = r.getDouble("median_seconds");
        // The median is a statistic, not money: a double is fine here; answered to 2 places.
        BigDecimal medianDays = medianSeconds == null ? null
                : BigDecimal.valueOf(medianSeconds).divide(BigDecimal.valueOf(86_400), SCALE, RoundingMode.HALF_EVEN);
        return new Funnel(w.from(), w.to(), zone.getId(), read.readFrom(), earned, redeemed, new Ratio(redeemed, earned),
                pct(redeemed, earned), medianDays);
    }

    /** {@code 100 * n / d} to 2 places, half-even; null when {@code d} is 0. */
    static BigDecimal pct(long n, long d) {
        return d == 0 ? null : BigDecimal.valueOf(n).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(d), SCALE, RoundingMode.HALF_EVEN);
    }

    // ---- redemption by type -------------------------------------------------------------

    @RegisterForReflection
    public record TypeRedemption(String pointType, long issued, long redeemed, long expired, Ratio share, BigDecimal sharePct) {
    }

    @RegisterForReflection
    public record RedemptionByType(Instant from, Instant to, String timeZone, String readFrom, List<TypeRedemption> items) {
    }

    /**
     * Per point type, over the window: issued (EARN, less what earn reversals took back from lots
     * of the type), redeemed (what REDEEM entries took from lots of the type, less what their
     * reversals and cancels gave back), expired, and the share redeemed = redeemed / issued.
     */
    public RedemptionByType redemptionByType(ReportWindow w) {
        var read = reads.read(tx -> bounded(tx.list(REDEMPTION_BY_TYPE_SQL,
                r -> new TypeRedemption(r.getString("point_type"), r.getLong("issued"), r.getLong("redeemed"), r.getLong("expired"),
                        new Ratio(r.getLong("redeemed"), r.getLong("issued")), pct(r.getLong("redeemed"), r.getLong("issued"))),
                w.from(), w.to(), ROW_LIMIT + 1)));
        return new RedemptionByType(w.from(), w.to(), zone.getId(), read.readFrom(), read.value());
    }

    // ---- experiments --------------------------------------------------------------------

    @RegisterForReflection
    public record VariantResult(String variant, long members, long events, long pointsIssued, long pointsRedeemed) {
    }

    @RegisterForReflection
    public record Experiment(String experimentId, Instant from, Instant to, String timeZone, String readFrom,
                             List<VariantResult> variants) {
    }

    /**
     * Per variant of the experiment: the members whose business events in the window carry it
     * (a member's variant is stable, stored with each event), their events, the points those
     * events issued (all their awards, so a variant's effect shows against the control), and the
     * points those members redeemed in the window.
     */
    public Experiment experiment(String experimentId, ReportWindow w) {
        var read = reads.read(tx -> tx.list(EXPERIMENT_SQL,
                r -> new VariantResult(r.getString("variant"), r.getLong("members"), r.getLong("events"), r.getLong("issued"),
                        r.getLong("redeemed")), w.from(), w.to(), experimentId, VARIANTS_MAX));
        return new Experiment(experimentId, w.from(), w.to(), zone.getId(), read.readFrom(), read.value());
    }

    // ---- anomalies ----------------------------------------------------------------------

    @RegisterForReflection
    public record Anomaly(LocalDate day, long issued, BigDecimal trailingMean, BigDecimal deviationPct) {
    }

    @RegisterForReflection
    public record Anomalies(Instant from, Instant to, String timeZone, int thresholdPct, String readFrom, LocalDate firstDay,
                            LocalDate lastDay, int daysJudged, List<Anomaly> items) {
    }

    /** Issued points per day of the program's zone, and the core's verdicts. */
    public record DailyIssued(Map<LocalDate, Long> issuedByDay, List<DailyIssuedAnomalies.Judgement> judgements,
                              String readFrom) {
    }

    /**
     * The days from the one holding {@code from} to the one holding the last instant before
     * {@code to}, each counted whole, judged by the core against the 7 days before each.
     */
    public Anomalies anomalies(ReportWindow w) {
        LocalDate first = w.from().atZone(zone).toLocalDate();
        LocalDate last = w.to().minusNanos(1).atZone(zone).toLocalDate();
        DailyIssued daily = dailyIssued(first, last);
        List<Anomaly> items = new ArrayList<>();
        int judged = 0;
        for (DailyIssuedAnomalies.Judgement j : daily.judgements()) {
            switch (j) {
                case DailyIssuedAnomalies.Judgement.Flagged f -> {
                    judged++;
                    items.add(new Anomaly(f.day(), f.issued(), DailyIssuedAnomalies.trailingMean(f.trailingSum()),
                            DailyIssuedAnomalies.deviationPct(f.issued(), f.trailingSum())));
                }
                case DailyIssuedAnomalies.Judgement.Normal n -> judged++;
                case DailyIssuedAnomalies.Judgement.Unjudged u -> {
                }
            }
        }
        return new Anomalies(w.from(), w.to(), zone.getId(), thresholdPct, daily.readFrom(), first, last, judged, items);
    }

    /** One statement: EARN points per day of the program's zone from 7 days before {@code first} to {@code last}. */
    public DailyIssued dailyIssued(LocalDate first, LocalDate last) {
        Instant start = first.minusDays(DailyIssuedAnomalies.TRAILING_DAYS).atStartOfDay(zone).toInstant();
        Instant end = last.plusDays(1).atStartOfDay(zone).toInstant();
        var read = reads.read(tx -> tx.list(DAILY_ISSUED_SQL, r -> Map.entry(r.getLocalDate("day"), r.getLong("issued")),
                start, end, zone.getId(), (int) ReportWindow.MAX_DAYS + DailyIssuedAnomalies.TRAILING_DAYS + 2));
        Map<LocalDate, Long> byDay = new LinkedHashMap<>();
        read.value().forEach(e -> byDay.put(e.getKey(), e.getValue()));
        return new DailyIssued(byDay, DailyIssuedAnomalies.judge(byDay, first, last, thresholdPct), read.readFrom());
    }

    /**
     * The days of the window the rollup answers for: whole days of the program's zone inside
     * [from, to) that it has rolled ([d1, re), as instants [r1, r2)), and its watermark.
     */
    record Rolled(LocalDate d1, LocalDate re, Instant r1, Instant r2, Instant watermark) {
    }

    Rolled rolled(dev.loyalty.functions.store.Tx tx, ReportWindow w) {
        LocalDate first = w.from().atZone(zone).toLocalDate();
        LocalDate d1 = first.atStartOfDay(zone).toInstant().equals(w.from()) ? first : first.plusDays(1);
        LocalDate end = w.to().atZone(zone).toLocalDate(); // days before it end by `to`
        var cp = tx.one("SELECT rolled_until, watermark FROM report_rollup_checkpoints WHERE zone = $1",
                r -> Map.entry(r.getLocalDate("rolled_until"), dev.loyalty.functions.store.Tx.instant(r, "watermark")), zone.getId());
        LocalDate re = d1;
        Instant watermark = w.to();
        if (cp.isPresent()) {
            LocalDate until = cp.get().getKey().isBefore(end) ? cp.get().getKey() : end;
            re = until.isAfter(d1) ? until : d1;
            watermark = cp.get().getValue();
        }
        return new Rolled(d1, re, d1.atStartOfDay(zone).toInstant(), re.atStartOfDay(zone).toInstant(), watermark);
    }

    private static <T> List<T> bounded(List<T> rows) {
        if (rows.size() > ROW_LIMIT) {
            throw ApiException.validation("to", "the window holds more than " + ROW_LIMIT + " report rows: narrow it");
        }
        return rows;
    }

}
