package dev.loyalty.functions.idempotency;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The idempotency table and its time limits. */
@ConfigMapping(prefix = "loyalty.idempotency")
public interface IdempotencyConfig {

    /** The DynamoDB table (its key and TTL attribute names are fixed by infra-terraform/tables/idempotency.json). */
    @WithDefault("loyalty-idempotency")
    String tableName();

    /** How long a completed answer is replayed; also the item's TTL. */
    @WithDefault("86400")
    long recordTtlSeconds();

    /**
     * The Lambda's configured timeout. An IN_PROGRESS claim is presumed dead once this much
     * time (plus a margin) has passed since the invocation started: Lambda has killed it by then.
     * Funqy does not hand the Lambda Context to functions, so the remaining time is derived from
     * the configured timeout, which Terraform sets from the same variable as the Lambda's.
     */
    @WithDefault("30000")
    long lambdaTimeoutMs();

    /** Added to the timeout before a claim is taken over, for clock skew between hosts. */
    @WithDefault("2000")
    long inProgressMarginMs();
}
