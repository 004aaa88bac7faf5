package dev.loyalty.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Process housekeeping for the local runner (Linux /proc): find what a killed runner left
 * behind, signal it, and a reaper that stops the runner's children when the runner dies
 * however it dies (even {@code kill -9} of its whole process group).
 */
public final class Processes {
    private Processes() {
    }

    /** The command line of a live process, or empty when it is gone. */
    public static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return raw.length == 0 ? Optional.empty()
                    : Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Direct children of {@code pid} (any process's, not only this JVM's). */
    public static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> h.children().forEach(c -> out.add(c.pid())));
        return out;
    }

    /** Sends a signal by name (TERM, INT, KILL, STOP, CONT) with kill(1); a negative pid is a process group. */
    public static void signal(long pid, String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, "--", Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the process is gone; true if it went within {@code max}. */
    public static boolean awaitExit(long pid, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(50);
        }
        return true;
    }

    /**
     * Stops a process left over from an earlier run, if {@code pid} is alive and its command
     * line contains {@code mustContain} (a pid file can outlive its process, and pids are reused):
     * {@code firstSignal}, then SIGKILL after {@code grace}. Returns whether one was stopped.
     */
    public static boolean stopLeftover(long pid, String mustContain, String firstSignal, Duration grace) {
        Optional<String> cmd = commandLine(pid);
        if (cmd.isEmpty() || !cmd.get().contains(mustContain)) {
            return false;
        }
        System.out.println("stopping a " + mustContain + " left from an earlier run (pid " + pid + ")");
        List<Long> kids = children(pid);
        signal(pid, firstSignal);
        if (!awaitExit(pid, grace)) {
            signal(pid, "KILL");
            awaitExit(pid, Duration.ofSeconds(5));
        }
        for (long kid : kids) { // e.g. PostgreSQL backends still attached to the shared memory
            if (alive(kid)) {
                signal(kid, "KILL");
                awaitExit(kid, Duration.ofSeconds(5));
            }
        }
        return true;
    }

    /** The first line of a pid file as a pid, if the file exists and parses. */
    public static Optional<Long> readPidFile(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.findFirst().map(String::trim).filter(s -> s.matches("\\d+")).map(Long::parseLong);
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    public static void writePidFile(Path file, long pid) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, pid + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A shell in its own session (setsid) that waits for this JVM to end and then stops the
     * processes listed in {@code pidList} ("SIGNAL PID" per line; SIGKILL 5 s later for any left).
     * A runner that exits normally empties the list first. PostgreSQL needs this: pg_ctl starts
     * the postmaster in its own session, outside the runner's process group, so a kill of the
     * group or of the runner alone would orphan it.
     */
    public static void startReaper(Path pidList) throws IOException {
        Files.createDirectories(pidList.getParent());
        if (!Files.exists(pidList)) {
            Files.writeString(pidList, "");
        }
        String script = """
                runner=$1; list=$2
                while kill -0 "$runner" 2>/dev/null; do sleep 1; done
                [ -f "$list" ] || exit 0
                while read -r sig pid; do [ -n "$pid" ] && kill -"$sig" "$pid" 2>/dev/null; done < "$list"
                sleep 5
                while read -r sig pid; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; done < "$list"
                rm -f "$list"
                """;
        try {
            new ProcessBuilder("setsid", "sh", "-c", script, "loyalty-reaper",
                    Long.toString(ProcessHandle.current().pid()), pidList.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            // No setsid (util-linux): the pid files still let the next start clean up.
            System.err.println("local runner: no reaper (" + e.getMessage() + "); a killed runner's children"
                    + " are stopped at the next start instead");
        }
    }
}
