package dev.loyalty.functions;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Runs Quarkus with one exported function, as one Lambda does on AWS, on the embedded PostgreSQL. */
public abstract class FunctionProfile implements QuarkusTestProfile {
    private final String function;

    protected FunctionProfile(String function) {
        this.function = function;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", function);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresResource.class), new TestResourceEntry(DynamoResource.class),
                new TestResourceEntry(EventBusResource.class));
    }

    public static final class Earn extends FunctionProfile {
        public Earn() {
            super("earn");
        }
    }

    public static final class Balance extends FunctionProfile {
        public Balance() {
            super("balance");
        }
    }

    /** earn with the idempotency table unreachable (connection refused). */
    public static final class EarnDynamoDown extends FunctionProfile {
        public EarnDynamoDown() {
            super("earn");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // Port 1: nothing listens, every call is refused at once.
            Map<String, String> config = new java.util.HashMap<>(DynamoResource.clientConfig("http://127.0.0.1:1"));
            config.put("quarkus.funqy.export", "earn");
            return config;
        }
    }

    /** earn with PostgreSQL unreachable: a 5xx after the claim, which must release it. */
    public static final class EarnPostgresDown extends FunctionProfile {
        public EarnPostgresDown() {
            super("earn");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(DynamoResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "earn",
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/postgres",
                    "quarkus.datasource.username", "postgres", "quarkus.datasource.password", "postgres",
                    "loyalty.db.statement-timeout-ms", "3000");
        }
    }

    public static final class EarnQueue extends FunctionProfile {
        public EarnQueue() {
            super("earn-queue");
        }
    }

    /** The sweep with tiny chunks, so the tests exercise chunking on small data. */
    public static final class ExpireSweepJob extends FunctionProfile {
        public ExpireSweepJob() {
            super("expire-sweep");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "expire-sweep", "loyalty.schedules.expire-sweep.chunk-members", "3");
        }
    }

    /** A program in the farthest time zone (UTC+14): expiry falls at the end of ITS day. */
    public static final class ExpireSweepKiritimati extends FunctionProfile {
        public ExpireSweepKiritimati() {
            super("expire-sweep");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "expire-sweep", "loyalty.program.time-zone", "Pacific/Kiritimati");
        }
    }

    public static final class ReconcileJob extends FunctionProfile {
        public ReconcileJob() {
            super("reconcile");
        }
    }

    /** Full reconcile in ranges of 7 accounts, 2 at a time, one round per invocation (budget 0). */
    public static final class ReconcileInRanges extends FunctionProfile {
        public ReconcileInRanges() {
            super("reconcile");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "reconcile", "loyalty.schedules.reconcile.chunk-members", "7",
                    "loyalty.schedules.reconcile.parallelism", "2", "loyalty.schedules.reconcile.time-budget-ms", "0");
        }
    }

    /** The outbox relay with small chunks, so the tests exercise chunking on small data. */
    public static final class OutboxRelayJob extends FunctionProfile {
        public OutboxRelayJob() {
            super("outbox-relay");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "outbox-relay", "loyalty.events.relay.chunk-rows", "7");
        }
    }

    public static final class Notices extends FunctionProfile {
        public Notices() {
            super("notices");
        }
    }

    public static final class Reports extends FunctionProfile {
        public Reports() {
            super("reports");
        }
    }

    /** reports in the program time zone Asia/Kathmandu (UTC+05:45: days start at 18:15Z), the report-rollup job's tests. */
    public static final class ReportsKathmandu extends FunctionProfile {
        public ReportsKathmandu() {
            super("reports");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "reports", "loyalty.program.time-zone", "Asia/Kathmandu");
        }
    }

    /**
     * reports in the program time zone Europe/Berlin, reading a "replica" that is the same
     * PostgreSQL through a second pool ({@code loyalty.db.read-url}).
     */
    public static final class ReportsBerlinReplica extends FunctionProfile {
        public ReportsBerlinReplica() {
            super("reports");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "reports", "loyalty.program.time-zone", "Europe/Berlin",
                    "loyalty.db.read-url", "${quarkus.datasource.reactive.url}");
        }
    }

    /** reports with the replica unreachable (port 1): the reports that read it answer 503. */
    public static final class ReportsReplicaDown extends FunctionProfile {
        public ReportsReplicaDown() {
            super("reports");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "reports", "loyalty.db.read-url", "postgresql://127.0.0.1:1/postgres",
                    "loyalty.db.statement-timeout-ms", "3000");
        }
    }

    /** earn-queue with PostgreSQL unreachable: every record must come back as a batch item failure. */
    public static final class EarnQueuePostgresDown extends FunctionProfile {
        public EarnQueuePostgresDown() {
            super("earn-queue");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(DynamoResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "earn-queue",
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/postgres",
                    "quarkus.datasource.username", "postgres", "quarkus.datasource.password", "postgres",
                    "loyalty.db.statement-timeout-ms", "3000");
        }
    }

    /** migrate connects as the schema owner, as on AWS (the owner secret is given to it alone). */
    public static final class Migrate extends FunctionProfile {
        public Migrate() {
            super("migrate");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresResource.class, Map.of("role", "owner")),
                    new TestResourceEntry(DynamoResource.class), new TestResourceEntry(EventBusResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // As the app secret supplies it on AWS: migrate (re)sets the functions' login user.
            return Map.of("quarkus.funqy.export", "migrate",
                    "loyalty.db.app-login-user", PostgresResource.APP_USER,
                    "loyalty.db.app-login-password", PostgresResource.APP_PASSWORD);
        }
    }
}
