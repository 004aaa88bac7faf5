package dev.loyalty.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./loyalty local} killed the hard way: {@code kill -9} of its whole process group. Its
 * PostgreSQL (in its own session, started by pg_ctl), the emulator and the function JVMs must
 * not outlive it.
 */
class RunnerKilledIT {
    @TempDir
    Path home;

    @Test
    void killingTheRunnersProcessGroupStopsEverythingItStarted() throws Exception {
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("setsid", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LocalRunner.class.getName(), "local")
                .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("LOYALTY_HOME", home.toString());
        pb.environment().put("LOYALTY_PORT", "0");
        pb.environment().put("LOYALTY_LOCAL_MAX_INSTANCES", "1");
        Process runner = pb.start();
        List<String> output = new ArrayList<>();
        CompletableFuture<Boolean> up = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(runner.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (line.contains("loyalty ledger is up")) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
        try {
            assertTrue(up.get(180, TimeUnit.SECONDS), "runner did not come up: " + output);
            long postmaster = Processes.readPidFile(home.resolve("pgdata").resolve("postmaster.pid")).orElseThrow();
            long dynalite = Processes.readPidFile(home.resolve("run").resolve("dynalite.pid")).orElseThrow();
            List<Long> descendants = runner.descendants().map(ProcessHandle::pid).toList();
            assertTrue(descendants.size() >= 8, "function JVMs and the emulator: " + descendants);
            assertTrue(Processes.alive(postmaster));
            assertFalse(descendants.contains(postmaster), "the postmaster is outside the runner's group");
            // kill -9 of the process group (setsid made the runner its leader)
            Processes.signal(-runner.pid(), "KILL");
            assertTrue(Processes.awaitExit(postmaster, Duration.ofSeconds(20)), "PostgreSQL outlived the runner");
            assertTrue(Processes.awaitExit(dynalite, Duration.ofSeconds(10)), "the emulator outlived the runner");
            for (long pid : descendants) {
                assertTrue(Processes.awaitExit(pid, Duration.ofSeconds(10)), "child " + pid + " outlived the runner");
            }
        } finally {
            runner.destroyForcibly();
            runner.descendants().forEach(ProcessHandle::destroyForcibly);
            Processes.readPidFile(home.resolve("pgdata").resolve("postmaster.pid"))
                    .ifPresent(pid -> Processes.stopLeftover(pid, "postgres", "INT", Duration.ofSeconds(10)));
        }
    }
}
