package dev.loyalty.functions.store;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A connection inside one transaction, used in blocking style. Lambda invokes a function on
 * its own runtime thread (never a Vert.x event loop), so awaiting here is safe and keeps the
 * ledger code straight-line and readable.
 *
 * <p>Round trips, not CPU, set a write's latency on AWS (about a millisecond each to RDS
 * Proxy). So statements can be queued ({@link #later}) and sent together ({@link #flush}):
 * the PostgreSQL client pipelines them on the connection and the server runs them in order,
 * so a flush costs ONE round trip however many statements it carries. A write is two: BEGIN
 * with its locked reads, then its writes with COMMIT ({@link #flushAndCommit}). Statements
 * sent with COMMIT cannot be checked by Java before the commit, so a write that must affect
 * exactly so many rows checks that in SQL (a division by zero aborts the transaction and turns
 * the COMMIT into a rollback). {@link #roundTrips()} counts what was awaited.
 */
public final class Tx {
    private final SqlConnection connection;
    /** True inside {@link Db#inTransaction}: BEGIN goes out with the first round trip. */
    private final boolean transactional;
    private boolean begun;
    private int roundTrips;
    private final List<Pending<?>> pending = new ArrayList<>();
    private final Duration timeout;
    /** System.nanoTime() by which the whole transaction must be done. */
    private final long deadlineNanos;

    /** Outbox events this transaction wrote, handed to the {@link OutboxListener}s after it commits. */
    private final java.util.List<OutboxEvent> emitted = new java.util.ArrayList<>();

    /** Members with an earlier event still unpublished when this transaction wrote theirs (or unknown). */
    private final java.util.Set<String> behind = new java.util.HashSet<>();

    void emitted(java.util.List<OutboxEvent> events, java.util.Set<String> membersBehind) {
        emitted.addAll(events);
        behind.addAll(membersBehind);
    }

    /** How many of {@link #emitted()} belong to {@code member} (handed over so far, statement by statement). */
    long emittedCount(String member) {
        return emitted.stream().filter(e -> e.memberId().equals(member)).count();
    }

    java.util.List<OutboxEvent> emitted() {
        return java.util.List.copyOf(emitted);
    }

    /** The members of {@link #emitted()} whose every earlier event was published when these were written. */
    java.util.Set<String> emittedInOrder() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        emitted.forEach(e -> out.add(e.memberId()));
        out.removeAll(behind);
        return out;
    }

    Tx(SqlConnection connection, Duration timeout, long deadlineNanos) {
        this(connection, timeout, deadlineNanos, false);
    }

    Tx(SqlConnection connection, Duration timeout, long deadlineNanos, boolean transactional) {
        this.connection = connection;
        this.timeout = timeout;
        this.deadlineNanos = deadlineNanos;
        this.transactional = transactional;
    }

    /** A statement's result, there once the round trip that carried it is back. */
    public static final class Deferred<T> {
        private T value;
        private boolean done;

        public T get() {
            if (!done) {
                throw new IllegalStateException("read before its round trip (call Tx.flush first)");
            }
            return value;
        }
    }

    private record Pending<T>(String sql, Tuple args, Function<RowSet<Row>, T> handler, Deferred<T> result, String guard) {
        void complete(RowSet<Row> rows) {
            result.value = handler.apply(rows);
            result.done = true;
        }
    }

    /** Queues a statement for the next round trip; its result is there after {@link #flush}. */
    public <T> Deferred<T> later(String sql, Function<RowSet<Row>, T> handler, Object... args) {
        java.util.function.BiConsumer<String, Object[]> o = observer;
        if (o != null) {
            o.accept(sql, args);
        }
        Deferred<T> result = new Deferred<>();
        pending.add(new Pending<>(sql, tuple(args), handler, result, null));
        return result;
    }

    /**
     * Queues a guard: a statement that aborts the transaction (a division by zero) when a
     * condition fails. When it is the FIRST statement of its round trip to fail, the round trip
     * throws {@link GuardFailed} with {@code name} instead of the database error, so the caller
     * can answer that specific failure (e.g. OUT_OF_STOCK); the transaction is rolled back either
     * way (a pipelined COMMIT after it becomes a rollback).
     */
    public void guard(String name, String sql, Object... args) {
        java.util.function.BiConsumer<String, Object[]> o = observer;
        if (o != null) {
            o.accept(sql, args);
        }
        pending.add(new Pending<>(sql, tuple(args), r -> null, new Deferred<>(), java.util.Objects.requireNonNull(name)));
    }

    /** A {@link #guard}'s condition failed; nothing of the transaction is applied. */
    public static final class GuardFailed extends RuntimeException {
        private final String guard;

        GuardFailed(String guard, Throwable cause) {
            super("guard " + guard + " failed", cause, false, false);
            this.guard = guard;
        }

        public String guard() {
            return guard;
        }
    }

    /** Queues a query whose rows are mapped into a list. */
    public <T> Deferred<List<T>> laterList(String sql, Function<Row, T> mapper, Object... args) {
        return later(sql, rows -> {
            List<T> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(mapper.apply(row));
            }
            return out;
        }, args);
    }

    /** Queues a query of at most one row. */
    public <T> Deferred<Optional<T>> laterOne(String sql, Function<Row, T> mapper, Object... args) {
        return later(sql, rows -> {
            List<T> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(mapper.apply(row));
            }
            if (out.size() > 1) {
                throw new IllegalStateException("expected at most one row, got " + out.size());
            }
            return out.stream().findFirst();
        }, args);
    }

    /** Sends everything queued (and BEGIN, the first time) as ONE round trip, and waits for it. */
    public void flush() {
        roundTrip(false);
    }

    /** The last round trip of a transaction: what is queued, then COMMIT. */
    void flushAndCommit() {
        roundTrip(true);
    }

    boolean begun() {
        return begun;
    }

    /** Round trips awaited so far (BEGIN and COMMIT ride along with statements, not on their own). */
    public int roundTrips() {
        return roundTrips;
    }

    private void roundTrip(boolean commit) {
        List<java.util.concurrent.CompletableFuture<RowSet<Row>>> sent = new ArrayList<>();
        List<Pending<?>> batch = List.copyOf(pending);
        pending.clear();
        if (transactional && !begun && (commit || !batch.isEmpty())) {
            begun = true;
            sent.add(send(connection.query("BEGIN").execute()));
        }
        int first = sent.size();
        for (Pending<?> p : batch) {
            sent.add(send(connection.preparedQuery(p.sql()).execute(p.args())));
        }
        if (commit && begun) {
            sent.add(send(connection.query("COMMIT").execute()));
        }
        if (sent.isEmpty()) {
            return;
        }
        roundTrips++;
        RuntimeException failure = null;
        String failedGuard = null;
        for (int i = 0; i < sent.size(); i++) {
            try {
                RowSet<Row> rows = await(sent.get(i));
                int index = i - first;
                if (failure == null && index >= 0 && index < batch.size()) {
                    batch.get(index).complete(rows);
                }
            } catch (RuntimeException e) {
                // The first failure is the cause; later statements fail as "transaction aborted".
                if (failure == null) {
                    failure = e;
                    int index = i - first;
                    if (index >= 0 && index < batch.size()) {
                        failedGuard = batch.get(index).guard();
                    }
                }
            }
        }
        if (failure != null && failedGuard != null && failure instanceof io.vertx.pgclient.PgException pg
                && "22012".equals(pg.getSqlState())) {
            throw new GuardFailed(failedGuard, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static java.util.concurrent.CompletableFuture<RowSet<Row>> send(io.smallrye.mutiny.Uni<RowSet<Row>> uni) {
        // A plain future, subscribed now, so the statements leave in order and pipeline.
        java.util.concurrent.CompletableFuture<RowSet<Row>> f = new java.util.concurrent.CompletableFuture<>();
        uni.subscribe().with(f::complete, f::completeExceptionally);
        return f;
    }

    private RowSet<Row> await(java.util.concurrent.CompletableFuture<RowSet<Row>> f) {
        try {
            return f.get(bound().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new io.smallrye.mutiny.TimeoutException();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new io.vertx.core.VertxException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted waiting for PostgreSQL", e);
        }
    }

    private static Tuple tuple(Object... args) {
        Tuple tuple = Tuple.tuple();
        for (Object a : args) {
            tuple.addValue(a instanceof Instant i ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : a);
        }
        return tuple;
    }

    /** The wait allowed for the next round trip: the statement timeout or what is left of the transaction's. */
    Duration bound() {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new DependencyUnavailableException("PostgreSQL: the transaction's time budget is spent", null);
        }
        return Duration.ofNanos(Math.min(timeout.toNanos(), left));
    }

    /**
     * Sees every statement with its arguments; null (nothing to do) except in the test that holds
     * the hot paths to one member per statement ({@code DistributionReadinessTest}).
     */
    private static volatile java.util.function.BiConsumer<String, Object[]> observer;

    public static void observe(java.util.function.BiConsumer<String, Object[]> statements) {
        observer = statements;
    }

    /** One statement now: everything queued before it goes in the same round trip. */
    public RowSet<Row> query(String sql, Object... args) {
        Deferred<RowSet<Row>> rows = later(sql, r -> r, args);
        flush();
        return rows.get();
    }

    /** Runs a script of several statements (migrations) with the simple query protocol. */
    public void script(String sql) {
        flush();
        roundTrips++;
        connection.query(sql).execute().await().atMost(bound());
    }

    public <T> List<T> list(String sql, Function<Row, T> mapper, Object... args) {
        List<T> out = new ArrayList<>();
        for (Row row : query(sql, args)) {
            out.add(mapper.apply(row));
        }
        return out;
    }

    public <T> Optional<T> one(String sql, Function<Row, T> mapper, Object... args) {
        List<T> rows = list(sql, mapper, args);
        if (rows.size() > 1) {
            throw new IllegalStateException("expected at most one row, got " + rows.size());
        }
        return rows.stream().findFirst();
    }

    public static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
