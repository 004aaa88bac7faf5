/**
 * A deterministic simulation of the ledger (TigerBeetle VOPR style), published in the test-jar
 * so a storage-backed implementation can be checked by exactly the same workload.
 *
 * <ul>
 *   <li>{@link dev.loyalty.core.simulation.LedgerUnderTest} is the port: operations on raw member
 *       ids answering an {@link dev.loyalty.core.simulation.OpResult}, and a
 *       {@link dev.loyalty.core.simulation.Snapshot} of what is stored for a member.</li>
 *   <li>The reference model is written from the contract alone and shares no rule code with the
 *       core; only the lot ids used to break spending-order ties come from the system.</li>
 *   <li>Ids are never assumed equal across implementations: holds are named by the step that
 *       placed them, entries by (member, sequence), lots by the entry that created them.</li>
 *   <li>After every step, every member is checked: outcome, invariants (balance = entries =
 *       lots, gapless sequences, balanceAfter chain, allocations add up, reversals within
 *       bounds, each lot's remaining explained by its entries) and equality with the model.</li>
 *   <li>Everything is a function of the seed: a failure names seed and step, and
 *       {@code -Dsimulation.seed=N} replays it. No clock, no threads, no floating point.</li>
 * </ul>
 */
package dev.loyalty.core.simulation;
