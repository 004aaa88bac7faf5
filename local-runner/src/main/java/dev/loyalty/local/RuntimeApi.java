package dev.loyalty.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The AWS Lambda Runtime API for one function, served on loopback. The function's JVM runs
 * its real runtime loop against it (GET next, POST response or error), exactly as inside
 * Lambda; {@link #invoke} queues an event and waits for the answer. Several JVMs may poll one
 * API, which is how Lambda scales a function out.
 */
public final class RuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    public record Result(boolean functionError, String body) {
    }

    private record Invocation(String id, String event, long deadlineEpochMs, CompletableFuture<Result> result) {
    }

    private final String function;
    private final Duration timeout;
    private final HttpServer server;
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    private volatile String initError;
    /** Runtimes blocked in GET next right now, i.e. idle JVMs ready for an invocation. */
    private final java.util.concurrent.atomic.AtomicInteger polling = new java.util.concurrent.atomic.AtomicInteger();

    public RuntimeApi(String function, Duration timeout) throws IOException {
        this.function = function;
        this.timeout = timeout;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext(PREFIX, this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String function() {
        return function;
    }

    /** Waits until a runtime has asked for work, i.e. the function finished its init. */
    public void awaitReady(Duration max) throws TimeoutException {
        try {
            firstPoll.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(function + " failed to start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Waits until {@code runtimes} JVMs are idle in GET next at once: all instances of a scaled-out
     * function have finished their init (a benchmark must not time a JVM still starting).
     */
    public void awaitPollers(int runtimes, Duration max) throws TimeoutException {
        long deadline = System.nanoTime() + max.toNanos();
        while (polling.get() < runtimes) {
            if (initError != null) {
                throw new IllegalStateException(function + " failed to start: " + initError);
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(function + ": " + polling.get() + " of " + runtimes + " runtimes ready after " + max);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public Result invoke(String eventJson) throws TimeoutException {
        if (initError != null) {
            return new Result(true, initError);
        }
        String id = UUID.randomUUID().toString();
        Invocation inv = new Invocation(id, eventJson, System.currentTimeMillis() + timeout.toMillis(), new CompletableFuture<>());
        inFlight.put(id, inv);
        pending.add(inv);
        try {
            return inv.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pending.remove(inv);
            inFlight.remove(id);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().substring(PREFIX.length());
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                firstPoll.complete(null);
                Invocation inv;
                polling.incrementAndGet();
                try {
                    inv = pending.take();
                } finally {
                    polling.decrementAndGet();
                }
                ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", inv.id());
                ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineEpochMs()));
                ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:local:000000000000:function:loyalty-" + function);
                ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + inv.id().replace("-", "").substring(0, 24));
                ex.getResponseHeaders().add("Content-Type", "application/json");
                send(ex, 200, inv.event());
                return;
            }
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (method.equals("POST") && path.equals("init/error")) {
                initError = body;
                firstPoll.completeExceptionally(new IllegalStateException(body));
                send(ex, 202, "{\"status\":\"OK\"}");
                return;
            }
            if (method.equals("POST") && path.startsWith("invocation/")) {
                String[] parts = path.split("/");
                Invocation inv = parts.length == 3 ? inFlight.get(parts[1]) : null;
                if (inv == null) {
                    send(ex, 400, "{\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                inv.result().complete(new Result(parts[2].equals("error"), body));
                send(ex, 202, "{\"status\":\"OK\"}");
                return;
            }
            send(ex, 404, "{\"errorType\":\"NotFound\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
