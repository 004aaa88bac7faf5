/**
 * Finance and program reports, admins only. Rules: computed from the append-only ledger
 * (entries, allocations, lots' original points) and the business events, so they are right as
 * of any past instant; every program report is ONE bounded SQL statement (a window of at most
 * 400 days, the core's {@code ReportWindow}; a row limit; the time indexes of V17), counts points
 * on the day of their occurredAt in the program's time zone, reads the replica when one is
 * configured and says so ({@code readFrom}); what decides something (the anomaly flag) is the
 * core's ({@code dev.loyalty.core.reports.DailyIssuedAnomalies}), never decided here.
 */
package dev.loyalty.functions.reports;
