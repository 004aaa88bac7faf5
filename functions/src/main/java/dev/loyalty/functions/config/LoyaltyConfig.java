package dev.loyalty.functions.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The program's rules and the functions' limits: one mapping, read once at start-up. */
@ConfigMapping(prefix = "loyalty")
public interface LoyaltyConfig {

    Program program();

    /** Point type code to its expiry policy. */
    Map<String, PointTypeConfig> pointTypes();

    Http http();

    Db db();

    Local local();

    Log log();

    Alerts alerts();

    /** Thresholds of the business alarms (contract Part 2, "Reports": anomalies). */
    interface Alerts {
        /**
         * A day's issued points more than this percent away from the mean of the 7 days before
         * is an anomaly ({@code dev.loyalty.core.reports.DailyIssuedAnomalies}).
         */
        @WithDefault("5")
        int dailyIssuedDeviationPct();
    }

    interface Log {
        /** One JSON object per log line (CloudWatch Logs Insights); plain text when off. */
        @WithDefault("false")
        boolean json();
    }

    /** Settings that only the local runner uses. */
    interface Local {
        /** Where the local scheduler posts scheduled events (the local runner's front door). */
        @WithDefault("http://localhost:8080/_local/schedules")
        String scheduleUrl();
    }

    interface Program {
        /** Expiry falls at the end of the day in this zone. */
        @WithDefault("UTC")
        ZoneId timeZone();
    }

    interface PointTypeConfig {
        OptionalInt expiresAfterDays();

        @WithDefault("false")
        boolean neverExpires();
    }

    interface Http {
        /** Larger bodies get 413 before any parsing. */
        @WithDefault("16384")
        int maxBodyBytes();
    }

    interface Db {
        /** Bounds every SQL statement, so a stuck query cannot eat the Lambda's whole timeout. */
        @WithDefault("10000")
        int statementTimeoutMs();

        /**
         * Bounds a whole transaction or read (connect, every statement, commit), so a stalled
         * PostgreSQL gives 503 before the invocation times out. 0: two thirds of the Lambda's
         * timeout ({@code loyalty.idempotency.lambda-timeout-ms}).
         */
        @WithDefault("0")
        int transactionTimeoutMs();

        /**
         * The functions' login user, created or re-passworded by the migrate step (which alone
         * connects as the schema owner). On AWS both come from the app secret
         * ({@code LOYALTY_APP_DB_SECRET_ARN}); locally from the environment.
         */
        Optional<String> appLoginUser();

        Optional<String> appLoginPassword();

        /**
         * A read replica for the heavy reports ({@code LOYALTY_DB_READ_URL}, a reactive client URL;
         * on AWS the RDS Proxy's read-only endpoint), logged in as the functions' user. Absent:
         * reports read the primary.
         */
        Optional<String> readUrl();

        /**
         * The app secret ({@code LOYALTY_DB_SECRET_ARN}), re-read by {@code store.DatabaseLogin}
         * after a SnapStart restore. Absent (locally, in tests): the configured login stays.
         */
        Optional<String> secretArn();

        /** The AWS Parameters and Secrets Lambda Extension's port on localhost. */
        @WithDefault("2773")
        int secretsExtensionPort();
    }
}
