package dev.loyalty.functions.queue;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the queue consumer. */
@ConfigMapping(prefix = "loyalty.queue")
public interface QueueConfig {

    /**
     * A return whose purchase is not recorded yet (the queue reordered them) is a transient
     * failure, retried by SQS, until its message has been received this many times
     * ({@code ApproximateReceiveCount}); then it is parked as EVENT_NOT_FOUND with its reason.
     * At most the queue's {@code maxReceiveCount} (Terraform passes it), or SQS moves the record to
     * the dead-letter queue before it is parked; equal to it, the last receive parks it.
     */
    @WithDefault("5")
    int returnBeforePurchaseMaxReceives();
}
