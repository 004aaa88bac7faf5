/**
 * Events out: delivery of the transactional outbox to the EventBridge bus, at least once and
 * in order per member.
 *
 * <p>Rules.
 * <ul>
 * <li>Every change writes its events to {@code outbox} in its own transaction
 *     ({@code store.LedgerWriter#emit}); a member's events are numbered 1, 2, 3, ... in commit
 *     order. Nothing here changes the ledger.</li>
 * <li>Two publishers: the function that made the change, right after its commit
 *     ({@link dev.loyalty.functions.events.AfterCommitPublisher}), and the relay every minute
 *     ({@link dev.loyalty.functions.events.OutboxRelay}). Both go through
 *     {@link dev.loyalty.functions.events.OutboxDelivery} and {@link dev.loyalty.functions.events.EventBus}.</li>
 * <li>Entry: {@code Source} {@code loyalty.events.source}, {@code DetailType} the event type,
 *     {@code Detail} {@code {"eventId","type","memberId","sequence","occurredAt","recordedAt","data"}},
 *     {@code EventBusName} {@code loyalty.events.bus-name}. The {@code eventId} is the outbox
 *     row's, fixed at the write: a redelivery repeats it.</li>
 * </ul>
 *
 * <p>Why a member's events reach PutEvents in sequence order (first acceptances ordered; a
 * repeat of an accepted event may come later, always with its eventId):
 * <ol>
 * <li>A publisher publishes only rows it holds locked ({@code FOR UPDATE SKIP LOCKED}, in one
 *     transaction that lasts until it has marked what PutEvents accepted), and for a member
 *     only when its locked rows are a PREFIX of the member's unpublished rows: the count of the
 *     member's unpublished rows up to its highest locked sequence equals the count it locked.
 *     Otherwise it publishes nothing of that member (another publisher holds the oldest one).
 *     So at any time at most one publisher can publish a member, and only from the member's
 *     oldest unpublished event on: a prefix holder holds the oldest; two holders of the oldest
 *     cannot exist.</li>
 * <li>Within a publisher, one PutEvents call carries at most one event per member (entries of a
 *     call succeed or fail independently); the next event of a member goes only after the
 *     previous was accepted, and a member stops at its first failed entry (after retrying the
 *     failed entries). So accepted events of a member are a prefix of what it held, accepted in
 *     order, and what stays unpublished is again a suffix.</li>
 * <li>Marking happens in the same transaction, before the locks go: a later publisher sees the
 *     accepted rows as published and starts at the first one that was not. If the mark is lost
 *     (a crash after PutEvents accepted), the rows are still unpublished and are published again
 *     first: a duplicate with the same eventId, before anything newer of that member.</li>
 * <li>A snapshot that is stale only makes the check more cautious: a row published by a
 *     committed concurrent publisher is counted as pending but cannot be locked (SKIP LOCKED or
 *     the re-check of {@code published_at IS NULL}), so the counts differ and the member is
 *     left alone.</li>
 * <li>The one exception to "only locked rows": the publish right after commit, when the write's
 *     own outbox statement saw NO earlier unpublished event of the member (under the member's
 *     row lock, so no earlier event can appear later). Every earlier event was then already
 *     accepted, so these cannot overtake one; they go without locks and are marked by one
 *     statement that skips rows a relay holds. A relay may take the same rows meanwhile: a
 *     duplicate with the same eventId. A later write of the member sees them unmarked and takes
 *     the locked path, which publishes them (again) before its own; so first acceptances stay
 *     ordered (a late duplicate may follow).</li>
 * </ol>
 * EventBridge itself does not promise order to its targets: consumers that need order use
 * {@code sequence} per member (and dedupe on {@code eventId}).
 *
 * <p>Bounds. A write's own publish is bounded by two PutEvents call timeouts
 * ({@code loyalty.events.call-timeout-ms}); its failures are logged and never fail or undo the
 * committed write. The relay is bounded per invocation in rows and time, resumes from the data,
 * removes published rows after {@code relay.retention-days}, and reports the oldest unpublished
 * event's age (EMF {@code OutboxOldestUnpublishedAgeSeconds}, the alarm's metric).
 *
 * <p>{@code points.expiring} ({@link dev.loyalty.functions.events.ExpiringNotices}): once per lot
 * ever, daily, for lots expiring within {@code loyalty.notices.expiring-days}; the notice's
 * row in {@code expiry_notices} and its event are written in one transaction.
 */
package dev.loyalty.functions.events;
