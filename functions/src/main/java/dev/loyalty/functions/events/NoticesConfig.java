package dev.loyalty.functions.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code points.expiring} notices: how far ahead, when, and the job's bounds. */
@ConfigMapping(prefix = "loyalty.notices")
public interface NoticesConfig {

    /** A lot expiring within this many days (from the run) gets its one notice. */
    @WithDefault("30")
    int expiringDays();

    /** Quartz-style cron in the program's time zone (Terraform deploys the same). */
    @WithDefault("0 0 6 * * ?")
    String cron();

    /** Members per transaction. */
    @WithDefault("1000")
    int chunkMembers();

    /** Stop starting chunks after this long; resumed by the next run. */
    @WithDefault("20000")
    long timeBudgetMs();
}
