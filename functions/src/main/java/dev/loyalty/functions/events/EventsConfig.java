package dev.loyalty.functions.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Events out: the EventBridge bus, the bounds on every PutEvents call, the relay's limits. */
@ConfigMapping(prefix = "loyalty.events")
public interface EventsConfig {

    /** The custom bus (Terraform sets {@code LOYALTY_EVENT_BUS}). */
    @WithDefault("loyalty")
    String busName();

    /** Every entry's {@code Source}. */
    @WithDefault("loyalty")
    String source();

    /**
     * Where PutEvents goes instead of AWS (the local runner's stand-in, the tests' server).
     * Set, the client signs with fixed local credentials: the stand-ins do not check them.
     */
    Optional<String> endpoint();

    /** The bus's region; empty: the SDK's chain ({@code AWS_REGION}, which Lambda sets). */
    Optional<String> region();

    /**
     * Publish right after commit, in the invocation that made the change. Off, the relay alone
     * delivers (a minute's lag); the benchmark turns it off to measure the write without it.
     */
    @WithDefault("true")
    boolean publishAfterCommit();

    /**
     * Bounds on one PutEvents: the whole call with the SDK's retries, one attempt, TCP connect.
     * A stalled EventBridge costs a committed write at most {@code call-timeout-ms} plus two
     * short SQL statements; the relay publishes what did not go.
     */
    @WithDefault("1000")
    int callTimeoutMs();

    @WithDefault("400")
    int attemptTimeoutMs();

    @WithDefault("300")
    int connectTimeoutMs();

    /** Retries of the failed entries of a partially failed PutEvents, before a member waits for the relay. */
    @WithDefault("2")
    int failedEntryRetries();

    Relay relay();

    interface Relay {
        /** Quartz-style cron of the local scheduler; Terraform deploys {@code rate(1 minute)}. */
        @WithDefault("0 * * * * ?")
        String cron();

        /** Rows locked and published per transaction. */
        @WithDefault("500")
        int chunkRows();

        /** Rows published per invocation at most. */
        @WithDefault("20000")
        int maxRows();

        /** Stop starting chunks after this long (the relay Lambda's timeout is 60 s, it runs every minute). */
        @WithDefault("40000")
        long timeBudgetMs();

        /** Published rows are removed this long after publishing. */
        @WithDefault("7")
        int retentionDays();

        /** Published rows removed per invocation at most (in statements of 5,000). */
        @WithDefault("50000")
        int deleteMaxRows();
    }
}
