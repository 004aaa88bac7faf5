/**
 * Program reports' rules that decide something (pure functions, no I/O, no clock).
 *
 * <p>{@link DailyIssuedAnomalies}: a day's issued points are judged against the mean of the 7
 * days before it, only when each of those 7 days issued points; the day is flagged when
 * {@code |issued - mean| / mean > threshold / 100}, decided in exact integer arithmetic
 * ({@code |7 * issued - sum7| * 100 > threshold * sum7}), never in floating point. The reported
 * mean and deviation are decimals rounded half-even to 2 places after the decision.
 *
 * <p>{@link ReportWindow}: a report's window is {@code [from, to)}, {@code from} before {@code to},
 * at most {@link ReportWindow#MAX_DAYS} days.
 */
package dev.loyalty.core.reports;
