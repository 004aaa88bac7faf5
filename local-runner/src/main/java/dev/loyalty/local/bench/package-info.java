/**
 * {@code ./loyalty bench [--quick]}: the benchmark suite, run against the whole local system
 * ({@link dev.loyalty.local.LocalSystem}: functions in their own JVMs behind the Lambda Runtime
 * API, embedded PostgreSQL, dynalite) with AWS-shaped events on the real invocation path.
 *
 * <p>Rules: every figure is a ratio against a baseline measured in the same run on the same
 * machine and the same PostgreSQL (these machines are noisy; absolute figures do not compare
 * across runs). A target is reported as met or missed, never asserted: the run fails (exit 1)
 * only when a scenario fails functionally (a failed request, an overdraw, a discrepancy, a
 * sweep that expires the wrong number of lots). Latencies go through HdrHistogram.
 */
package dev.loyalty.local.bench;
