package dev.loyalty.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The AWS Lambda Runtime API of ONE execution environment (one function JVM), served on
 * loopback. The JVM runs its real runtime loop against it (GET next, POST response or error),
 * exactly as inside Lambda. Invocations come from a queue that several environments of one
 * function may share ({@link FunctionPool}); each environment serves one invocation at a time,
 * and this API knows which one, so a death or a late answer is attributed to it.
 *
 * <p>A late answer (after the invocation's timeout) to the invocation this environment was
 * given is accepted (202) and discarded, so AWS's runtime client does not end its loop on a
 * 400; an answer for an id it was never given is 400 InvalidRequestID, as on AWS.
 */
public final class RuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    public record Result(boolean functionError, String body) {
    }

    /** One invocation: queued, then given to at most one environment. */
    static final class Invocation {
        final String id = UUID.randomUUID().toString();
        final String event;
        final long deadlineEpochMs;
        final CompletableFuture<Result> result = new CompletableFuture<>();

        Invocation(String event, long deadlineEpochMs) {
            this.event = event;
            this.deadlineEpochMs = deadlineEpochMs;
        }
    }

    /** The invocation in flight ended because its environment died or was replaced. */
    public static final class EnvironmentDied extends RuntimeException {
        EnvironmentDied(String message) {
            super(message);
        }
    }

    private final String function;
    private final Duration timeout;
    private final HttpServer server;
    private final BlockingDeque<Invocation> queue;
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    private volatile String initError;
    private volatile boolean closed;
    /** Runtimes blocked in GET next right now (0 or 1 for a real environment). */
    private final AtomicInteger polling = new AtomicInteger();
    private volatile Thread waiter;
    /** What this environment is working on, or null. */
    private volatile Invocation current;
    /** When this environment last answered (nanoTime), or 0 once it asked for the next one. */
    private volatile long answeredAtNanos;

    /** A stand-alone environment with its own queue (the start-up benchmark). */
    public RuntimeApi(String function, Duration timeout) throws IOException {
        this(function, timeout, new LinkedBlockingDeque<>());
    }

    RuntimeApi(String function, Duration timeout, BlockingDeque<Invocation> queue) throws IOException {
        this.function = function;
        this.timeout = timeout;
        this.queue = queue;
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

    boolean everPolled() {
        return firstPoll.isDone();
    }

    boolean idle() {
        return polling.get() > 0;
    }

    String initError() {
        return initError;
    }

    /** Nanos since this environment answered without asking for the next invocation, or 0. */
    long answeredWithoutPollingNanos() {
        long at = answeredAtNanos;
        return at == 0 || polling.get() > 0 ? 0 : System.nanoTime() - at;
    }

    /** Waits until the runtime has asked for work, i.e. the function finished its init. */
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

    /** Waits until {@code runtimes} runtimes are idle in GET next at once. */
    public void awaitPollers(int runtimes, Duration max) throws TimeoutException {
        long deadline = System.nanoTime() + max.toNanos();
        while (polling.get() < runtimes) {
            if (initError != null) {
                throw new IllegalStateException(function + " failed to start: " + initError);
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(function + ": " + polling.get() + " of " + runtimes + " runtimes ready after " + max);
            }
            Processes.sleep(20);
        }
    }

    /** Queues an event on this environment's queue and waits up to the timeout (stand-alone use). */
    public Result invoke(String eventJson) throws TimeoutException {
        if (initError != null) {
            return new Result(true, initError);
        }
        Invocation inv = new Invocation(eventJson, System.currentTimeMillis() + timeout.toMillis());
        queue.add(inv);
        return awaitQueued(queue, inv, timeout);
    }

    /** Waits for a queued invocation's answer; on timeout it is withdrawn (never delivered later). */
    static Result awaitQueued(BlockingDeque<Invocation> queue, Invocation inv, Duration timeout) throws TimeoutException {
        try {
            return inv.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            inv.result.completeExceptionally(e); // a late answer finds it done and is discarded
            queue.remove(inv);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The environment is gone (process dead, or replaced): stop serving, fail its invocation in
     * flight with {@link EnvironmentDied}, and hand back one it had taken but not yet sent.
     */
    void abandon(String why) {
        closed = true;
        Thread w = waiter;
        if (w != null) {
            w.interrupt();
        }
        Invocation c = current;
        if (c != null) {
            c.result.completeExceptionally(new EnvironmentDied(function + ": " + why));
        }
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().substring(PREFIX.length());
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.equals("invocation/next")) {
                next(ex);
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
                Invocation inv = current;
                if (parts.length != 3 || inv == null || !inv.id.equals(parts[1])) {
                    send(ex, 400, "{\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                current = null;
                answeredAtNanos = Math.max(1, System.nanoTime());
                // After a timeout the caller has its 504 already: the answer is discarded.
                inv.result.complete(new Result(parts[2].equals("error"), body));
                send(ex, 202, "{\"status\":\"OK\"}");
                return;
            }
            send(ex, 404, "{\"errorType\":\"NotFound\"}");
        }
    }

    private void next(HttpExchange ex) throws IOException {
        firstPoll.complete(null);
        answeredAtNanos = 0;
        Invocation inv;
        polling.incrementAndGet();
        waiter = Thread.currentThread();
        try {
            do {
                if (closed) {
                    return;
                }
                inv = queue.take();
            } while (inv.result.isDone()); // timed out while queued: never delivered
        } catch (InterruptedException e) {
            return; // abandoned
        } finally {
            waiter = null;
            polling.decrementAndGet();
        }
        current = inv;
        if (closed) {
            current = null;
            queue.offerFirst(inv);
            return;
        }
        ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", inv.id);
        ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineEpochMs));
        ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:local:000000000000:function:loyalty-" + function);
        ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000)
                + "-" + inv.id.replace("-", "").substring(0, 24));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        try {
            send(ex, 200, inv.event);
        } catch (IOException e) {
            // The runtime went away before it got the event: another environment takes it.
            current = null;
            if (!inv.result.isDone()) {
                queue.offerFirst(inv);
            }
            throw e;
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
        closed = true;
        Thread w = waiter;
        if (w != null) {
            w.interrupt();
        }
        server.stop(0);
    }
}
