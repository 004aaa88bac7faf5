package dev.loyalty.functions.idempotency;

import dev.loyalty.core.idempotency.IdempotencyRecord;
import dev.loyalty.core.idempotency.IdempotencyRules;
import dev.loyalty.core.idempotency.IdempotencyStore;
import dev.loyalty.core.idempotency.IdempotencyStoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The idempotency table on DynamoDB. A claim is ONE conditional PutItem; a duplicate comes
 * back in the failed write itself ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}), so
 * it costs no second read on AWS. Emulators that do not return the old item get one
 * consistent read instead.
 */
@ApplicationScoped
public class DynamoDbIdempotencyStore implements IdempotencyStore {
    private static final Logger LOG = Logger.getLogger(DynamoDbIdempotencyStore.class);

    // Attribute names. The key and TTL names must match infra-terraform/tables/idempotency.json (a test checks).
    public static final String KEY = "pk";
    public static final String EXPIRES_AT_EPOCH_SECOND = "expiresAtEpochSecond";
    static final String STATUS = "status";
    static final String REQUEST_HASH = "requestHash";
    static final String RESPONSE_STATUS = "responseStatus";
    static final String RESPONSE_BODY = "responseBody";
    static final String IN_PROGRESS_EXPIRES_AT_EPOCH_MILLI = "inProgressExpiresAtEpochMilli";

    /** The same predicate as {@link dev.loyalty.core.idempotency.IdempotencyRules#claimable}. */
    static final String CLAIM_CONDITION = "attribute_not_exists(#pk) OR #exp < :nowEpochSecond"
            + " OR (#status = :inProgress AND #ipexp < :nowEpochMilli)";
    /** Complete or release only our own claim, never one taken over after we were presumed dead. */
    static final String OWN_CLAIM_CONDITION = "#status = :inProgress AND #hash = :hash AND #ipexp = :ipexp";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbIdempotencyStore(DynamoDbClient dynamo, IdempotencyConfig config) {
        this.dynamo = dynamo;
        this.table = config.tableName();
    }

    /** Read-back races (the record vanished or expired between write and read) retry this often. */
    static final int CLAIM_ATTEMPTS_MAX = 2;

    @Override
    public Claim claim(String key, String requestHash, Instant now, long inProgressExpiresAtEpochMilli,
                       long expiresAtEpochSecond) {
        for (int attempt = 1; attempt <= CLAIM_ATTEMPTS_MAX; attempt++) {
            Claim claim = tryClaim(key, requestHash, now, inProgressExpiresAtEpochMilli, expiresAtEpochSecond);
            if (claim != null) {
                return claim;
            }
        }
        throw new IdempotencyStoreUnavailableException("key " + key + " kept changing under contention; retry", null);
    }

    /** One conditional put; null when a read-back found the key free again (retry). */
    private Claim tryClaim(String key, String requestHash, Instant now, long inProgressExpiresAtEpochMilli,
                           long expiresAtEpochSecond) {
        IdempotencyRecord fresh = new IdempotencyRecord(key, IdempotencyRecord.Status.IN_PROGRESS, requestHash, null,
                expiresAtEpochSecond, inProgressExpiresAtEpochMilli);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(key));
        item.put(STATUS, s(IdempotencyRecord.Status.IN_PROGRESS.name()));
        item.put(REQUEST_HASH, s(requestHash));
        item.put(EXPIRES_AT_EPOCH_SECOND, n(expiresAtEpochSecond));
        item.put(IN_PROGRESS_EXPIRES_AT_EPOCH_MILLI, n(inProgressExpiresAtEpochMilli));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression(CLAIM_CONDITION)
                    .expressionAttributeNames(Map.of("#pk", KEY, "#exp", EXPIRES_AT_EPOCH_SECOND, "#status", STATUS,
                            "#ipexp", IN_PROGRESS_EXPIRES_AT_EPOCH_MILLI))
                    .expressionAttributeValues(Map.of(":nowEpochSecond", n(now.getEpochSecond()),
                            ":inProgress", s(IdempotencyRecord.Status.IN_PROGRESS.name()),
                            ":nowEpochMilli", n(now.toEpochMilli())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claim.Claimed(fresh);
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && !e.item().isEmpty()) {
                return ownOrExisting(fresh, toRecord(e.item()));
            }
            return readBack(fresh, now);
        } catch (SdkException e) {
            throw unavailable("claim", e);
        }
    }

    /**
     * The SDK retries a PutItem whose answer was lost (a timeout on a slow table); if the lost
     * attempt had written, the retry fails its condition on our own claim. Ours is recognised by
     * the same identity {@link #OWN_CLAIM_CONDITION} completes it with (in progress, our request
     * hash and our in-progress expiry to the millisecond); anything else is someone else's.
     */
    static Claim ownOrExisting(IdempotencyRecord fresh, IdempotencyRecord found) {
        boolean ours = found.status() == IdempotencyRecord.Status.IN_PROGRESS
                && found.requestHash().equals(fresh.requestHash())
                && found.inProgressExpiresAtEpochMilli() == fresh.inProgressExpiresAtEpochMilli();
        return ours ? new Claim.Claimed(fresh) : new Claim.Existing(found);
    }

    /** Only where the store did not return the old item (emulators): one consistent read. */
    private Claim readBack(IdempotencyRecord fresh, Instant now) {
        String key = fresh.key();
        Map<String, AttributeValue> current;
        try {
            current = dynamo.getItem(b -> b.tableName(table).key(Map.of(KEY, s(key))).consistentRead(true)).item();
        } catch (SdkException e) {
            throw unavailable("read-back", e);
        }
        if (current == null || current.isEmpty()) {
            return null;
        }
        IdempotencyRecord record = toRecord(current);
        return IdempotencyRules.claimable(record, now) ? null : ownOrExisting(fresh, record);
    }

    @Override
    public void complete(IdempotencyRecord claimed, IdempotencyRecord.StoredResponse response, long expiresAtEpochSecond) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(claimed.key()));
        item.put(STATUS, s(IdempotencyRecord.Status.COMPLETED.name()));
        item.put(REQUEST_HASH, s(claimed.requestHash()));
        item.put(RESPONSE_STATUS, n(response.statusCode()));
        item.put(RESPONSE_BODY, s(response.body()));
        item.put(EXPIRES_AT_EPOCH_SECOND, n(expiresAtEpochSecond));
        item.put(IN_PROGRESS_EXPIRES_AT_EPOCH_MILLI, n(claimed.inProgressExpiresAtEpochMilli()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression(OWN_CLAIM_CONDITION)
                    .expressionAttributeNames(ownClaimNames())
                    .expressionAttributeValues(ownClaimValues(claimed)));
        } catch (ConditionalCheckFailedException e) {
            LOG.warnf("idempotency claim %s was taken over before completion; the ledger's uniqueness holds", claimed.key());
        } catch (SdkException e) {
            throw unavailable("complete", e);
        }
    }

    /**
     * Releases by expiring the claim in place (expiry 0, so the next claim condition passes)
     * rather than deleting it: no function's role needs DeleteItem on the table.
     */
    @Override
    public void release(IdempotencyRecord claimed) {
        Map<String, String> names = new HashMap<>(ownClaimNames());
        names.put("#exp", EXPIRES_AT_EPOCH_SECOND);
        Map<String, AttributeValue> values = new HashMap<>(ownClaimValues(claimed));
        values.put(":released", n(0));
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(KEY, s(claimed.key())))
                    .updateExpression("SET #exp = :released")
                    .conditionExpression(OWN_CLAIM_CONDITION)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            LOG.debugf("idempotency claim %s already gone or taken over", claimed.key());
        } catch (SdkException e) {
            throw unavailable("release", e);
        }
    }

    private static Map<String, String> ownClaimNames() {
        return Map.of("#status", STATUS, "#hash", REQUEST_HASH, "#ipexp", IN_PROGRESS_EXPIRES_AT_EPOCH_MILLI);
    }

    private static Map<String, AttributeValue> ownClaimValues(IdempotencyRecord claimed) {
        return Map.of(":inProgress", s(IdempotencyRecord.Status.IN_PROGRESS.name()), ":hash", s(claimed.requestHash()),
                ":ipexp", n(claimed.inProgressExpiresAtEpochMilli()));
    }

    static IdempotencyRecord toRecord(Map<String, AttributeValue> item) {
        IdempotencyRecord.Status status = IdempotencyRecord.Status.valueOf(item.get(STATUS).s());
        IdempotencyRecord.StoredResponse response = item.containsKey(RESPONSE_STATUS)
                ? new IdempotencyRecord.StoredResponse(Integer.parseInt(item.get(RESPONSE_STATUS).n()), item.get(RESPONSE_BODY).s())
                : null;
        return new IdempotencyRecord(item.get(KEY).s(), status, item.get(REQUEST_HASH).s(), response,
                Long.parseLong(item.get(EXPIRES_AT_EPOCH_SECOND).n()),
                Long.parseLong(item.get(IN_PROGRESS_EXPIRES_AT_EPOCH_MILLI).n()));
    }

    private static IdempotencyStoreUnavailableException unavailable(String what, SdkException e) {
        return new IdempotencyStoreUnavailableException("DynamoDB " + what + " failed: " + e.getMessage(), e);
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
