package dev.loyalty.functions.schedule;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The scheduled jobs: their cron (the one place; Terraform uses the same values) and their limits. */
@ConfigMapping(prefix = "loyalty.schedules")
public interface ScheduleConfig {

    Sweep expireSweep();

    Reconcile reconcile();

    TierReview tierReview();

    ReportRollup reportRollup();

    /** The daily rollup of closed days the activity and funnel reports read (issue 20). */
    interface ReportRollup {
        /** Quartz-style cron, in the program's time zone: every 15 minutes. */
        @WithDefault("0 0/15 * * * ?")
        String cron();

        /**
         * How long after its recording an entry is folded into the rollup: longer than any write
         * transaction can stay open (the transaction timeout), so an entry recorded before the
         * watermark is committed when the rollup reads.
         */
        @WithDefault("900")
        long settleSeconds();

        /** A day with at most this many entries is rolled in one transaction; a larger one in member ranges. */
        @WithDefault("200000")
        long partEntries();

        /** Accounts per member range of a large day. */
        @WithDefault("100000")
        int chunkMembers();

        /** Recording time folded in per transaction (late entries of rolled days), at most. */
        @WithDefault("21600")
        long absorbMaxSeconds();

        /** Stop starting new steps after this long; well under the Lambda timeout. */
        @WithDefault("200000")
        long timeBudgetMs();
    }

    interface TierReview {
        /** Quartz-style cron, in the program's time zone: daily, after the expiry sweep. */
        @WithDefault("0 45 0 * * ?")
        String cron();

        /** Members reviewed per transaction. */
        @WithDefault("1000")
        int chunkMembers();

        /** Stop starting new chunks after this long; well under the Lambda timeout. */
        @WithDefault("45000")
        long timeBudgetMs();
    }

    interface Sweep {
        /** Quartz-style cron, in the program's time zone. */
        @WithDefault("0 15 0 * * ?")
        String cron();

        /** Members expired per transaction. */
        @WithDefault("1000")
        int chunkMembers();

        /** Stop starting new chunks after this long; well under the Lambda timeout. */
        @WithDefault("20000")
        long timeBudgetMs();
    }

    interface Reconcile {
        @WithDefault("0 0 * * * ?")
        String cron();

        /** At most this many discrepancies are listed per check in the report. */
        @WithDefault("20")
        int discrepanciesMax();

        /** A full run checks members in ranges of this many accounts, one statement each. */
        @WithDefault("100000")
        int chunkMembers();

        /** Ranges checked at once, each on its own connection (the pool holds 4). */
        @WithDefault("2")
        int parallelism();

        /**
         * A full run starts no new ranges after this long and resumes at the next invocation;
         * well under the reconcile Lambda's 300 s timeout.
         */
        @WithDefault("200000")
        long timeBudgetMs();
    }
}
