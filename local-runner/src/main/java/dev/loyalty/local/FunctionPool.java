package dev.loyalty.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * One function as Lambda runs it: execution environments (JVMs, each with its own Runtime API)
 * created on demand when invocations overlap, up to {@code max}; every invocation bounded by the
 * function's timeout; an environment that dies, or whose runtime loop ends, replaced.
 *
 * <ul>
 *   <li>Scale-out: an invocation that finds no idle environment (and none starting that would
 *       take it) starts a new one, up to {@code max}. {@code min} are started up front and kept.</li>
 *   <li>Timeout: past {@code timeout} the caller gets a {@link TimeoutException} (the front door's
 *       504); the function's late answer is accepted and discarded, its environment lives on.</li>
 *   <li>Death: the invocation in flight fails with {@link RuntimeApi.EnvironmentDied} (502) and
 *       the environment is replaced when the pool is below {@code min} or work is waiting.</li>
 *   <li>A runtime loop that ended while its JVM lives (it answered and did not ask for the next
 *       invocation within {@link #LOOP_ENDED_AFTER}) is killed and so replaced.</li>
 * </ul>
 */
public final class FunctionPool implements AutoCloseable {
    /** An environment that answered and has not asked for the next event this long has a dead loop. */
    static final Duration LOOP_ENDED_AFTER = Duration.ofSeconds(15);
    /** Environments that die before their first poll this many times in a row: the function cannot start. */
    static final int INIT_FAILURES_MAX = 3;

    /** Starts one environment's process against the given Runtime API; {@code n} numbers its log. */
    interface Launcher {
        FunctionProcess launch(RuntimeApi api, int n) throws IOException;
    }

    private record Environment(RuntimeApi api, FunctionProcess process) {
    }

    private final String name;
    private final Duration timeout;
    private final int min;
    private final int max;
    private final Launcher launcher;
    private final LongConsumer onStart;
    private final LongConsumer onStop;
    private final BlockingDeque<RuntimeApi.Invocation> queue = new LinkedBlockingDeque<>();
    private final List<Environment> environments = new CopyOnWriteArrayList<>();
    private final AtomicInteger launched = new AtomicInteger();
    private final AtomicInteger replaced = new AtomicInteger();
    private final AtomicInteger initFailures = new AtomicInteger();
    private volatile String initError;
    private volatile boolean closed;

    /**
     * {@code onStart}/{@code onStop} get each JVM's pid (the runner's reaper list).
     */
    FunctionPool(String name, Duration timeout, int min, int max, Launcher launcher, LongConsumer onStart,
                 LongConsumer onStop) throws IOException {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException(name + ": instances min " + min + ", max " + max);
        }
        this.name = name;
        this.timeout = timeout;
        this.min = min;
        this.max = max;
        this.launcher = launcher;
        this.onStart = onStart;
        this.onStop = onStop;
        for (int i = 0; i < min; i++) {
            launch();
        }
    }

    public String function() {
        return name;
    }

    public Duration timeout() {
        return timeout;
    }

    public int maxInstances() {
        return max;
    }

    /** Environments alive now (started or starting). */
    public int instances() {
        return environments.size();
    }

    /** Environments that died or whose loop ended and were replaced or dropped, since start. */
    public int replacements() {
        return replaced.get();
    }

    /** Process ids of the live environments. */
    public List<Long> pids() {
        return environments.stream().map(e -> e.process().pid()).toList();
    }

    /** Invokes the function with an event, waiting at most the function's timeout. */
    public RuntimeApi.Result invoke(String eventJson) throws TimeoutException {
        if (initError != null) {
            return new RuntimeApi.Result(true, initError);
        }
        if (closed) {
            throw new RuntimeApi.EnvironmentDied(name + ": the local system is stopping");
        }
        RuntimeApi.Invocation inv = new RuntimeApi.Invocation(eventJson, System.currentTimeMillis() + timeout.toMillis());
        synchronized (this) {
            queue.add(inv);
            scale();
        }
        return RuntimeApi.awaitQueued(queue, inv, timeout);
    }

    /** Starts an environment if work is waiting and none is idle or starting to take it. */
    private synchronized void scale() {
        if (closed) {
            return;
        }
        int ready = 0;
        for (Environment e : environments) {
            if (e.api().idle() || !e.api().everPolled()) {
                ready++;
            }
        }
        if (queue.size() > ready && environments.size() < max) {
            try {
                launch();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private synchronized void launch() throws IOException {
        RuntimeApi api = new RuntimeApi(name, timeout, queue);
        FunctionProcess process;
        try {
            process = launcher.launch(api, launched.getAndIncrement());
        } catch (IOException | RuntimeException e) {
            api.close();
            throw e;
        }
        Environment env = new Environment(api, process);
        environments.add(env);
        onStart.accept(process.pid());
        process.onExit(() -> ended(env, "its process exited"));
    }

    private void ended(Environment env, String why) {
        if (!environments.remove(env)) {
            return;
        }
        // An init failure: the runtime reported one, or the JVM exited by itself (not by a
        // signal: a kill is not the function's fault) before it ever asked for work.
        int exit = env.process().exitValue();
        boolean initFailed = env.api().initError() != null || (!env.api().everPolled() && exit >= 0 && exit < 128);
        env.api().abandon(why);
        onStop.accept(env.process().pid());
        if (closed) {
            return;
        }
        replaced.incrementAndGet();
        System.err.println("local runner: " + name + " environment (pid " + env.process().pid() + ") ended: " + why
                + "; " + environments.size() + " left");
        if (initFailed) {
            if (initFailures.incrementAndGet() >= INIT_FAILURES_MAX) {
                String err = env.api().initError();
                initError = err != null ? err
                        : "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"" + name + " exited during init "
                        + INIT_FAILURES_MAX + " times\"}";
                failQueued();
                return;
            }
        } else {
            initFailures.set(0);
        }
        synchronized (this) {
            try {
                if (environments.size() < min) {
                    launch();
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("local runner: could not replace " + name + ": " + e);
            }
        }
        scale();
    }

    private void failQueued() {
        for (RuntimeApi.Invocation inv; (inv = queue.poll()) != null; ) {
            inv.result.complete(new RuntimeApi.Result(true, initError));
        }
    }

    /** Called periodically: kills environments whose runtime loop ended while the JVM lives. */
    void checkLoops() {
        for (Environment e : environments) {
            if (e.api().answeredWithoutPollingNanos() > LOOP_ENDED_AFTER.toNanos() && e.process().isAlive()) {
                System.err.println("local runner: " + name + " environment (pid " + e.process().pid()
                        + ") stopped asking for work; replacing it");
                e.process().kill();
            }
        }
        if (!queue.isEmpty()) {
            scale();
        }
    }

    /** Waits until {@code n} environments have finished init and are idle. */
    public void awaitIdle(int n, Duration max) throws TimeoutException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            if (initError != null) {
                throw new IllegalStateException(name + " failed to start: " + initError);
            }
            long idle = environments.stream().filter(e -> e.api().idle()).count();
            if (idle >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(name + ": " + idle + " of " + n + " environments ready after " + max);
            }
            Processes.sleep(20);
        }
    }

    /** The environments' JVMs, for tests and the benchmark's RSS figures. */
    List<FunctionProcess> processes() {
        return environments.stream().map(Environment::process).toList();
    }

    @Override
    public void close() {
        closed = true;
        for (Environment e : environments) {
            e.process().close();
            e.api().abandon("the local system stopped");
            onStop.accept(e.process().pid());
        }
        environments.clear();
        for (RuntimeApi.Invocation inv; (inv = queue.poll()) != null; ) {
            inv.result.completeExceptionally(new RuntimeApi.EnvironmentDied(name + ": the local system stopped"));
        }
    }
}
