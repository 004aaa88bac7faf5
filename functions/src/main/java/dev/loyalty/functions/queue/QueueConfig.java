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
     * Keep it below the queue's {@code maxReceiveCount}, or SQS moves it to the DLQ first.
     */
    @WithDefault("5")
    int returnBeforePurchaseMaxReceives();
}
