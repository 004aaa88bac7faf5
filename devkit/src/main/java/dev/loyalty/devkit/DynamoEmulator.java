package dev.loyalty.devkit;


import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real DynamoDB-API server for tests and the local runner: dynalite (npm, MIT licence),
 * run as its own Node process from {@code tools/dynalite}. Amazon's DynamoDB Local is not used
 * because its licence is not open source. Dynalite's gaps, which the code allows for: it
 * ignores {@code ReturnValuesOnConditionCheckFailure} (the adapter then reads the record) and
 * has no TTL API (nothing relies on TTL deletion; expiry is part of every condition).
 */
public final class DynamoEmulator implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;

    private DynamoEmulator(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts dynalite on a free loopback port, installing its npm packages first if needed.
     *
     * @param root    the repository root (holds tools/dynalite)
     * @param dataDir where to persist tables, or null for in-memory
     */
    public static DynamoEmulator start(Path root, Path dataDir) throws IOException {
        return start(root, dataDir, null);
    }

    /**
     * As {@link #start(Path, Path)}, recording the emulator's pid in {@code pidFile}. An emulator
     * that a killed runner left running (the pid file names a live {@code start.js}) is stopped
     * first: it would hold the data directory's lock. The emulator also exits when its standard
     * input closes, i.e. when the JVM that started it dies.
     */
    public static DynamoEmulator start(Path root, Path dataDir, Path pidFile) throws IOException {
        if (pidFile != null) {
            stopLeftover(pidFile);
        }
        Path dir = root.resolve("tools").resolve("dynalite");
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("dynalite"))) {
            run(dir, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
        }
        ProcessBuilder pb = new ProcessBuilder("node", dir.resolve("start.js").toString(), "0");
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            pb.environment().put("DYNALITE_PATH", dataDir.toString());
        }
        pb.environment().put("DYNALITE_EXIT_ON_STDIN_EOF", "1");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        if (pidFile != null) {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, p.pid() + "\n");
        }
        CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("DYNALITE_READY ")) {
                        return Integer.parseInt(line.substring("DYNALITE_READY ".length()).trim());
                    }
                }
                throw new IllegalStateException("dynalite exited before it was ready");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return new DynamoEmulator(p, ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("dynalite did not start: " + e.getMessage(), e);
        }
    }

    private static void stopLeftover(Path pidFile) {
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return;
        }
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains("start.js")).orElse(false))
                .ifPresent(h -> {
                    System.out.println("stopping a DynamoDB emulator left from an earlier run (pid " + pid + ")");
                    h.destroy();
                    try {
                        h.onExit().get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                });
    }

    /** The emulator's process id. */
    public long pid() {
        return process.pid();
    }

    private static void run(Path dir, List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed in " + dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The JSON API of this server. */
    public DynamoApi api() {
        return new DynamoApi(endpoint());
    }

    /** Creates a table from its definition file; see {@link DynamoApi#createTable}. */
    public void createTable(Path definitionFile, String tableName) throws IOException {
        api().createTable(definitionFile, tableName);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
