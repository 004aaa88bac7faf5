package dev.loyalty.core.spend;

/**
 * An operator's correction exactly as received; {@link AdjustRule} validates it.
 *
 * @param points signed: a credit (new lot of {@code type}) or a debit (spent in spending order)
 * @param type   the point type of a credit; ignored for a debit
 * @param reason why, required: it is what an auditor reads
 */
public record AdjustCommand(long points, String type, String reference, String reason) {
}
