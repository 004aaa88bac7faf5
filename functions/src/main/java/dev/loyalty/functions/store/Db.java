package dev.loyalty.functions.store;

import dev.loyalty.functions.config.LoyaltyConfig;
import dev.loyalty.functions.idempotency.IdempotencyConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Transactions on the reactive PostgreSQL pool. Every ledger write runs in one transaction;
 * a failure rolls it back whole. Connection and timeout failures become
 * {@link DependencyUnavailableException} (503), constraint violations stay {@link PgException}.
 */
@ApplicationScoped
public class Db {
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK_DETECTED = "40P01";

    private final Supplier<Pool> pool;
    private final Duration statementTimeout;
    private final Duration transactionTimeout;

    /** The functions' pool, replaced after a SnapStart restore (see {@link Connections}). */
    @Inject
    public Db(Connections connections, LoyaltyConfig config, IdempotencyConfig lambda,
              jakarta.enterprise.inject.Instance<OutboxListener> listeners) {
        this.listeners = listeners::stream;
        this.pool = connections::pool;
        int configured = config.db().transactionTimeoutMs();
        this.transactionTimeout = Duration.ofMillis(configured > 0 ? configured : lambda.lambdaTimeoutMs() * 2 / 3);
        this.statementTimeout = Duration.ofMillis(Math.min(config.db().statementTimeoutMs(), transactionTimeout.toMillis()));
    }

    /** Outside CDI (the tests' schema-owner connection). */
    public Db(Pool pool, Duration statementTimeout) {
        this.listeners = java.util.stream.Stream::empty;
        this.pool = () -> pool;
        this.statementTimeout = statementTimeout;
        this.transactionTimeout = statementTimeout.multipliedBy(2);
    }

    /**
     * Runs {@code work} in one transaction, bounded as a whole by the transaction timeout and
     * each round trip by the statement timeout. A timeout, a lost connection or a server that
     * cannot serve (SQLSTATE classes 08, 53, 57: connection, resources, shutdown or statement
     * timeout) is {@link DependencyUnavailableException}: rolled back, nothing applied, 503.
     */
    public <T> T inTransaction(Function<Tx, T> work) {
        long deadline = System.nanoTime() + transactionTimeout.toNanos();
        SqlConnection connection = connect(deadline);
        Tx t = new Tx(connection, statementTimeout, deadline, true);
        boolean committing = false;
        T result;
        try {
            result = work.apply(t);
            committing = true; // a commit that fails or times out is not rolled back: PostgreSQL decides
            t.flushAndCommit();
            LAST_ROUND_TRIPS.set(t.roundTrips());
        } catch (Tx.GuardFailed e) {
            LAST_ROUND_TRIPS.set(t.roundTrips()); // the COMMIT it rode with became a rollback: nothing to send
            throw e;
        } catch (PgException e) {
            throw unavailable(e) ? new DependencyUnavailableException("PostgreSQL failed: " + e.getMessage(), e) : e;
        } catch (io.smallrye.mutiny.TimeoutException | io.vertx.core.VertxException | java.util.concurrent.CompletionException e) {
            throw new DependencyUnavailableException("PostgreSQL failed: " + e, e);
        } finally {
            if (!committing && t.begun()) {
                // A refusal or a failure before the last round trip. (A statement that failed in
                // the last one already turned its COMMIT into a rollback.)
                LAST_ROUND_TRIPS.set(t.roundTrips() + 1);
                connection.query("ROLLBACK").execute().subscribe().with(ok -> { }, e -> { });
            }
            release(connection);
        }
        // After the connection went back to the pool: a listener's own transaction (the
        // publisher's) must not need a second connection while this one is held.
        afterCommit(t.emitted(), t.emittedInOrder());
        return result;
    }

    /**
     * Round trips of the calling thread's last transaction (BEGIN rides with its first
     * statements, COMMIT or ROLLBACK with its last): what a write costs on the network, for
     * the request log, the tests and the benchmark.
     */
    public static int lastRoundTrips() {
        return LAST_ROUND_TRIPS.get();
    }

    private static final ThreadLocal<Integer> LAST_ROUND_TRIPS = ThreadLocal.withInitial(() -> 0);

    /** Forgets the last count, so a request that makes no transaction reports 0. */
    public static void resetRoundTrips() {
        LAST_ROUND_TRIPS.set(0);
    }

    private static final ThreadLocal<AfterCommit> DEFERRED = new ThreadLocal<>();

    /**
     * From now on, on this thread, what the listeners would do right after each commit (publish
     * the write's events) is collected instead, to run once the caller is ready: an API write
     * publishes while it stores its idempotent answer, not before. The caller must {@link
     * AfterCommit#run} what was collected (in every outcome: a commit happened) and close it.
     */
    public static AfterCommit deferAfterCommit() {
        AfterCommit a = new AfterCommit();
        DEFERRED.set(a);
        return a;
    }

    /** What commits on one thread left to do; see {@link #deferAfterCommit()}. */
    public static final class AfterCommit implements AutoCloseable {
        private final java.util.List<Runnable> tasks = new java.util.ArrayList<>();

        public boolean isEmpty() {
            synchronized (tasks) {
                return tasks.isEmpty();
            }
        }

        /** Runs what was collected, in commit order, once; never throws (the listeners do not). */
        public void run() {
            java.util.List<Runnable> now;
            synchronized (tasks) {
                now = java.util.List.copyOf(tasks);
                tasks.clear();
            }
            now.forEach(Runnable::run);
        }

        /** Stops collecting on this thread (what was collected stays, for {@link #run}). */
        @Override
        public void close() {
            if (DEFERRED.get() == this) {
                DEFERRED.remove();
            }
        }
    }

    /** The bound on one whole transaction (what a stalled database may cost a request before its 503). */
    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /**
     * Tells the listeners of outbox events a transaction outside this class committed (the
     * configuration entities' Hibernate Reactive transactions, {@link Entities}), as
     * {@link #inTransaction} does for its own.
     */
    public void committedElsewhere(java.util.List<OutboxEvent> events) {
        afterCommit(events, java.util.Set.of()); // no write saw these members: the locked, ordered path
    }

    /** Who hears of committed outbox events (the publisher); never the reason a committed write fails. */
    private final java.util.function.Supplier<java.util.stream.Stream<OutboxListener>> listeners;

    private void afterCommit(java.util.List<OutboxEvent> events, java.util.Set<String> inOrder) {
        if (events.isEmpty()) {
            return;
        }
        AfterCommit deferred = DEFERRED.get();
        if (deferred != null) {
            synchronized (deferred.tasks) {
                deferred.tasks.add(() -> notifyListeners(events, inOrder));
            }
            return;
        }
        // The request's count is its write's: the publisher's own transaction is not the write's.
        int writeRoundTrips = LAST_ROUND_TRIPS.get();
        try {
            notifyListeners(events, inOrder);
        } finally {
            LAST_ROUND_TRIPS.set(writeRoundTrips);
        }
    }

    private void notifyListeners(java.util.List<OutboxEvent> events, java.util.Set<String> inOrder) {
        listeners.get().forEach(l -> {
            try {
                l.committed(events, inOrder);
            } catch (RuntimeException e) {
                // Committed is committed: the relay publishes what the listener could not.
                org.jboss.logging.Logger.getLogger(Db.class).warnf("outbox listener failed: %s", e.toString());
            }
        });
    }

    /** Reads without an explicit transaction (each statement is its own snapshot). */
    public <T> T read(Function<Tx, T> work) {
        long deadline = System.nanoTime() + transactionTimeout.toNanos();
        SqlConnection connection = connect(deadline);
        try {
            return work.apply(new Tx(connection, statementTimeout, deadline));
        } catch (PgException e) {
            throw unavailable(e) ? new DependencyUnavailableException("PostgreSQL failed: " + e.getMessage(), e) : e;
        } catch (io.smallrye.mutiny.TimeoutException | io.vertx.core.VertxException | java.util.concurrent.CompletionException e) {
            throw new DependencyUnavailableException("PostgreSQL failed: " + e, e);
        } finally {
            release(connection);
        }
    }

    /**
     * SQLSTATE classes meaning "the server cannot serve now", not "this request is wrong":
     * connection (08), resources (53), operator intervention (57), and a refused login (28: a
     * password rotated under a running function; the next login after a restore or a rotation of
     * the pool's login succeeds, so the caller retries).
     */
    static boolean unavailable(PgException e) {
        String state = e.getSqlState();
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("28"));
    }

    /** Returns the connection to the pool without waiting on a stalled server (never throws). */
    private static void release(SqlConnection connection) {
        connection.close().subscribe().with(ok -> { }, e -> { });
    }

    /**
     * A connection from the pool, waiting at most the statement timeout (and what is left of the
     * transaction's). A connection that arrives after the wait was given up is closed at once,
     * so an abandoned wait never leaks one of the pool's few connections.
     */
    private SqlConnection connect(long deadline) {
        long left = Math.min(statementTimeout.toNanos(), deadline - System.nanoTime());
        // A plain future (not subscribeAsCompletionStage, whose context-propagating wrapper
        // fails on threads without the application's class loader, e.g. parallel sweeps).
        java.util.concurrent.CompletableFuture<SqlConnection> pending = new java.util.concurrent.CompletableFuture<>();
        try {
            pool.get().getConnection().subscribe().with(pending::complete, pending::completeExceptionally);
        } catch (RuntimeException e) {
            throw new DependencyUnavailableException("PostgreSQL unreachable: " + e.getMessage(), e);
        }
        try {
            return pending.get(Math.max(1, left), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.thenAccept(Db::release);
            throw new DependencyUnavailableException("PostgreSQL unreachable: no connection within "
                    + Duration.ofNanos(left).toMillis() + " ms", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DependencyUnavailableException("PostgreSQL unreachable: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted waiting for PostgreSQL", e);
        }
    }
}
