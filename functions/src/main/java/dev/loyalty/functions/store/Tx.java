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
 */
public final class Tx {
    private final SqlConnection connection;
    private final Duration timeout;
    /** System.nanoTime() by which the whole transaction must be done. */
    private final long deadlineNanos;

    /** Outbox events this transaction wrote, handed to the {@link OutboxListener}s after it commits. */
    private final java.util.List<OutboxEvent> emitted = new java.util.ArrayList<>();

    void emitted(java.util.List<OutboxEvent> events) {
        emitted.addAll(events);
    }

    java.util.List<OutboxEvent> emitted() {
        return java.util.List.copyOf(emitted);
    }

    Tx(SqlConnection connection, Duration timeout, long deadlineNanos) {
        this.connection = connection;
        this.timeout = timeout;
        this.deadlineNanos = deadlineNanos;
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

    public RowSet<Row> query(String sql, Object... args) {
        java.util.function.BiConsumer<String, Object[]> o = observer;
        if (o != null) {
            o.accept(sql, args);
        }
        Tuple tuple = Tuple.tuple();
        for (Object a : args) {
            tuple.addValue(a instanceof Instant i ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : a);
        }
        return connection.preparedQuery(sql).execute(tuple).await().atMost(bound());
    }

    /** Runs a script of several statements (migrations) with the simple query protocol. */
    public void script(String sql) {
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
