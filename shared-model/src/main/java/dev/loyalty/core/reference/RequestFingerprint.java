package dev.loyalty.core.reference;

import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.TransferCommand;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The canonical identity of a write request: every field that changes its effect, and the
 * operation's name, hashed (SHA-256, 64 hex characters) so it fits one fixed-size column next
 * to the entry or hold the write produced. Two requests of one member with the same reference
 * are the same request exactly when their fingerprints are equal ({@link ReferenceRule}).
 *
 * <p>Fields are encoded with their name and length, so no two different requests can encode
 * the same ({@code "ab"+"c"} vs {@code "a"+"bc"}); a missing optional field is encoded apart
 * from every value. Defaults that the rule resolves without state (a hold's TTL) are resolved
 * before hashing, so sending the default explicitly is the same request as omitting it; a
 * missing {@code occurredAt} stays missing (its effect, "now", differs on every retry).
 */
public final class RequestFingerprint {

    private final StringBuilder text = new StringBuilder();

    private RequestFingerprint(String operation) {
        field("op", operation);
    }

    /**
     * {@code expiresAt} is encoded only when present, so every earn without it keeps the
     * fingerprint it had before the field existed (stored rows still prove their replays).
     */
    public static String earn(EarnCommand c) {
        RequestFingerprint f = new RequestFingerprint("earn").field("memberId", c.memberId()).field("points", c.points())
                .field("type", c.type()).field("reference", c.reference()).field("occurredAt", c.occurredAt())
                .field("description", c.description());
        return (c.expiresAt() == null ? f : f.field("expiresAt", c.expiresAt())).hash();
    }

    public static String redeem(RedeemCommand c) {
        return new RequestFingerprint("redeem").field("points", c.points()).field("reference", c.reference())
                .field("description", c.description()).hash();
    }

    public static String hold(HoldCommand c) {
        long ttlSeconds = c.ttlSeconds() == null ? Hold.HOLD_TTL_SECONDS_DEFAULT : c.ttlSeconds();
        return new RequestFingerprint("hold").field("points", c.points()).field("reference", c.reference())
                .field("ttlSeconds", ttlSeconds).hash();
    }

    /** {@code points} resolved: a capture without points takes the whole hold. */
    public static String capture(UUID holdId, long points) {
        return new RequestFingerprint("capture").field("holdId", holdId).field("points", points).hash();
    }

    public static String reversal(ReversalCommand c) {
        return new RequestFingerprint("reversal").field("transactionId", c.transactionId())
                .field("points", c.points()).field("reference", c.reference()).field("reason", c.reason()).hash();
    }

    public static String transfer(TransferCommand c) {
        return new RequestFingerprint("transfer").field("toMemberId", c.toMemberId()).field("points", c.points())
                .field("reference", c.reference()).field("description", c.description()).hash();
    }

    public static String adjustment(AdjustCommand c) {
        return new RequestFingerprint("adjustment").field("points", c.points()).field("type", c.type())
                .field("reference", c.reference()).field("reason", c.reason()).hash();
    }

    public static String close(dev.loyalty.core.spend.CloseCommand c) {
        return new RequestFingerprint("close").field("reference", c.reference()).field("reason", c.reason()).hash();
    }

    /** A redemption: the quantity resolved (absent means 1). */
    public static String redemption(dev.loyalty.core.spend.RedemptionCommand c) {
        return new RequestFingerprint("redemption").field("rewardId", c.rewardId()).field("quantity", c.resolvedQuantity())
                .field("reference", c.reference()).hash();
    }

    public static String fulfilment(UUID redemptionId, String fulfilmentRef) {
        return new RequestFingerprint("fulfil").field("redemptionId", redemptionId).field("fulfilmentRef", fulfilmentRef)
                .hash();
    }

    public static String cancellation(UUID redemptionId, String reason) {
        return new RequestFingerprint("cancel").field("redemptionId", redemptionId).field("reason", reason).hash();
    }

    /** A change of a reward's stock, exactly once by (reward, reference). */
    public static String stockChange(String rewardId, long delta, String reference) {
        return new RequestFingerprint("stock").field("rewardId", rewardId).field("delta", delta)
                .field("reference", reference).hash();
    }

    /**
     * A return: member, reference, the purchase it names, the amount (null: "all not yet
     * returned", which is a different request from naming the same amount), occurredAt and
     * description.
     */
    public static String returnEvent(dev.loyalty.core.returns.ReturnCommand c) {
        return new RequestFingerprint("return").field("memberId", c.memberId()).field("reference", c.reference())
                .field("originalReference", c.originalReference()).field("amount", c.amount())
                .field("occurredAt", c.occurredAt()).field("description", c.description()).hash();
    }

    /**
     * A business event: every field the rules may read (name, occurredAt, amount, currency, each
     * attribute by name) and the description, member and reference.
     */
    public static String businessEvent(dev.loyalty.core.rules.BusinessEvent e) {
        RequestFingerprint f = new RequestFingerprint("event").field("memberId", e.memberId()).field("event", e.event())
                .field("reference", e.reference()).field("occurredAt", e.occurredAt()).field("amount", e.amount())
                .field("currency", e.currency()).field("description", e.description())
                .field("attributes", e.attributes().size());
        e.attributes().forEach((k, v) -> f.field("a." + k.length() + ":" + k, v));
        return f.hash();
    }

    private RequestFingerprint field(String name, Object value) {
        text.append(name);
        if (value == null) {
            text.append('-');
        } else {
            String v = value instanceof Instant i ? i.toString() : value.toString();
            text.append('=').append(v.length()).append(':').append(v);
        }
        text.append(';');
        return this;
    }

    private String hash() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
