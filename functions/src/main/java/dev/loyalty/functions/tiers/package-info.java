/**
 * Member tiers in the functions: the adapter around the core's {@link dev.loyalty.core.tiers.TierDecision}.
 * <ul>
 *   <li>{@link dev.loyalty.functions.tiers.MemberTiers}: a write queues the member's tier state (its
 *       record and at most about a year of qualifying day rows, one statement) and the tier set in
 *       force now into its first round trip, asks the core, and queues the result through the
 *       {@link dev.loyalty.functions.store.LedgerWriter} (the only writer) into its last round trip:
 *       no extra round trip. EARN entries add on their occurredAt day (program time zone); a
 *       reversal of an earn takes back on the original earn's day
 *       ({@code LedgerWriter.qualifyingTakenBack}, which returns call too); spending and expiry never
 *       touch qualification. Day rows are read from the key's index alone where the visibility
 *       map allows ({@code qualifying_days_pk} INCLUDEs the points, V25): the heap lies in time
 *       order, the index in member order.</li>
 *   <li>An event's awards earn with the member's tier before the event, at that tier's multiplier
 *       in the tier set in force at the event's occurredAt.</li>
 *   <li>Reads roll the record forward to now without writing: a grace that ended shows the lower
 *       tier before {@link dev.loyalty.functions.tiers.TierReview} records it.</li>
 *   <li>{@link dev.loyalty.functions.tiers.TierReview}, the daily job: due rows (review_at passed, or
 *       another tier set version) in member id chunks, account rows locked SKIP LOCKED, a time
 *       budget, a checkpoint to resume from; idempotent (a reviewed row is no longer due). Set-based
 *       per chunk: the chunk's records and their qualifying day rows are read (no transaction, no
 *       lock, the next chunks read ahead on their own connections; two plain range scans matched
 *       by member id, no join), the core decides each member, and one statement
 *       ({@code LedgerWriter.tiersReviewed}) locks (SKIP
 *       LOCKED) and rewrites only the members whose record changed, guarded by the row's xmin, with
 *       their history and events; a member a new tier set version leaves as it was is not
 *       rewritten (no longer due once a pass under that version finished clean). A member skipped
 *       (busy, or changed since the read) goes on the retry list ({@code tier_review_retries}, V22)
 *       in the chunk's write transaction; once the traversal has reached the last member
 *       ({@code traversed}) the list is retried with the same read, decision and guarded write, a
 *       member written, no longer due or left as it was coming off it in that transaction. A pass
 *       finishes ({@code version_done}) when its traversal is done and no retry of its version is
 *       left; a skipped member no longer makes it start over. A row the core calls settled
 *       ({@code TierDecision.settled}, asked of the stored row and its {@code qualifying_points},
 *       V24: no grace, nothing due, evaluated under a version that counts alike and has its tier at
 *       the same threshold, points below the next tier's) is not read under a new version: the
 *       version leaves it as it is (V24's comment names the predicate's first form,
 *       {@code settledAtLowest}, for the lowest tier only).</li>
 *   <li>{@link dev.loyalty.functions.tiers.QualifyingRebuild}, once: earns recorded before V15 have
 *       no qualifying day rows; V23 queues a rebuild when the ledger holds earns, and the tier-review
 *       runs it before its review until it is done. Chunks of accounts locked FOR UPDATE (in member
 *       id order), their EARN, REVERSAL and RETURN entries of the last year read, the core's
 *       {@code QualifyingPoints.rebuild} and {@code corrections}; only members whose rows differ are
 *       written (the rows set to what the ledger gives, the tier decided as for any write: an
 *       upgrade is QUALIFIED). Resumable from its own checkpoint row, idempotent, safe twice at
 *       once.</li>
 *   <li>A grace started by a take-back (a return or a reversal) ends with reason RETURN, one started
 *       by the window (or a new tier set version) with GRACE_ENDED: the core decides it and
 *       {@code member_tiers.below_reason} (V20) keeps it until the grace ends.</li>
 * </ul>
 */
package dev.loyalty.functions.tiers;
