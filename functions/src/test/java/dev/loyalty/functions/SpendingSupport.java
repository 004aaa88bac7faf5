package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.store.Db;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Shared by the spending tests: seed points through the earn service, call spending routes. */
public abstract class SpendingSupport extends LedgerTestSupport {
    @Inject
    EarnService earnService;
    @Inject
    Db db;

    UUID seed(String member, long points, String type, Instant occurredAt) {
        EarnResult r = earnService.earn(new EarnCommand(member, points, type, "seed-" + UUID.randomUUID(), occurredAt, null));
        return assertInstanceOf(EarnResult.Applied.class, r).receipt().transactionId();
    }

    static String key() {
        return "k-" + UUID.randomUUID();
    }

    static JsonNode redeem(String member, long points, String reference) {
        return Lambda.invoke(ApiEvents.post("redeem", member, "/members/" + member + "/redeem", Map.of(),
                "{\"points\":" + points + ",\"reference\":\"" + reference + "\"}", key()));
    }

    static JsonNode hold(String member, long points, String reference, Long ttlSeconds) {
        return Lambda.invoke(ApiEvents.post("hold", member, "/members/" + member + "/holds", Map.of(),
                "{\"points\":" + points + ",\"reference\":\"" + reference + "\""
                        + (ttlSeconds == null ? "" : ",\"ttlSeconds\":" + ttlSeconds) + "}", key()));
    }

    static JsonNode capture(String member, String holdId, Long points) {
        return Lambda.invoke(ApiEvents.post("capture", member, "/members/" + member + "/holds/" + holdId + "/capture",
                Map.of("holdId", holdId), points == null ? null : "{\"points\":" + points + "}", key()));
    }

    static JsonNode voidHold(String member, String holdId) {
        return Lambda.invoke(ApiEvents.post("void", member, "/members/" + member + "/holds/" + holdId + "/void",
                Map.of("holdId", holdId), null, key()));
    }

    static JsonNode reverse(String member, String transactionId, Long points, String reference) {
        return Lambda.invoke(ApiEvents.as(ApiEvents.post("reversal", member,
                "/members/" + member + "/transactions/" + transactionId + "/reversal", Map.of("transactionId", transactionId),
                "{\"reference\":\"" + reference + "\"" + (points == null ? "" : ",\"points\":" + points) + "}", key()),
                "ops-console", "points:admin"));
    }

    static JsonNode transfer(String member, String to, long points, String reference) {
        return Lambda.invoke(ApiEvents.post("transfer", member, "/members/" + member + "/transfers", Map.of(),
                "{\"toMemberId\":\"" + to + "\",\"points\":" + points + ",\"reference\":\"" + reference + "\"}", key()));
    }

    long balance(String member) {
        return db.read(tx -> tx.query("SELECT balance FROM accounts WHERE member_id = $1", member).iterator().next().getLong(0));
    }

    long activeHeld(String member) {
        return db.read(tx -> tx.query("SELECT COALESCE(SUM(points), 0) FROM holds WHERE member_id = $1 AND status = 'HELD'"
                + " AND expires_at > now()", member).iterator().next().getLong(0));
    }

    long lotRemaining(String member, String lotId) {
        return db.read(tx -> tx.query("SELECT remaining_points FROM lots WHERE member_id = $1 AND lot_id = $2", member,
                UUID.fromString(lotId)).iterator().next().getLong(0));
    }

    String lotOf(String member, UUID earnTransaction) {
        return db.read(tx -> tx.query("SELECT lot_id FROM lots WHERE member_id = $1 AND source_entry_id = $2", member,
                earnTransaction).iterator().next().getUUID(0).toString());
    }
}
