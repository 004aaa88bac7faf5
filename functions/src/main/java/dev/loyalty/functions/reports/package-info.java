/**
 * Finance and program reports, admins only. Rules: computed from the append-only ledger
 * (entries, allocations, lots' original points) and the business events, so they are right as
 * of any past instant; every program report is ONE bounded SQL statement (a window of at most
 * 400 days, the core's {@code ReportWindow}; a row limit; the time indexes of V17 and V21), counts
 * points on the day of their occurredAt in the program's time zone, reads the replica when one is
 * configured and says so ({@code readFrom}); what decides something (the anomaly flag) is the
 * core's ({@code dev.loyalty.core.reports.DailyIssuedAnomalies}), never decided here.
 *
 * <p>Activity and funnel read the rollup of closed days that the scheduled {@code report-rollup}
 * job ({@link dev.loyalty.functions.reports.ReportRollup}) writes, for the whole days of their
 * window it has rolled, and the ledger for the rest (partial days, today, days not rolled, entries
 * recorded since its watermark): their answers equal the ledger-only answers. The job is the only
 * writer of the rollup tables; no write path touches them. It is bounded (one day, a member range
 * of a large day, or a slice of late entries per transaction; a time budget), resumable (its
 * checkpoint row moves with each step) and safe twice at once (the checkpoint row is locked
 * {@code FOR UPDATE SKIP LOCKED}: the second run stops).
 */
package dev.loyalty.functions.reports;
