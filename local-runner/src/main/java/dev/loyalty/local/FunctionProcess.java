package dev.loyalty.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One function's JVM, started the way the java21 Lambda runtime starts it: AWS's runtime
 * interface client as main class, the packaged function on the classpath, and the handler
 * {@code io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest}, against a local
 * {@link RuntimeApi}.
 */
public final class FunctionProcess implements AutoCloseable {
    public static final String HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";
    static final String RUNTIME_CLIENT_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    private final Process process;

    static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    /** The runtime client's native library for this machine, extracted once under {@code home/jni}. */
    static synchronized Path nativeClient(Path home) throws IOException {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "linux-aarch_64" : "linux-x86_64";
        String resource = "/jni/libaws-lambda-jni." + arch + ".so";
        Path target = home.resolve("jni").resolve("libaws-lambda-jni." + arch + ".so");
        if (!java.nio.file.Files.exists(target)) {
            java.nio.file.Files.createDirectories(target.getParent());
            try (var in = Class.forName(RUNTIME_CLIENT_MAIN).getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("runtime interface client has no " + resource);
                }
                Path tmp = java.nio.file.Files.createTempFile(target.getParent(), "jni", ".tmp");
                java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                java.nio.file.Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (ClassNotFoundException e) {
                throw new IOException("the Lambda runtime interface client is not on the classpath", e);
            }
        }
        return target;
    }

    /** The runtime interface client's jars, taken from this JVM's own classpath. */
    static String runtimeClientClasspath() {
        String cp = String.join(File.pathSeparator, java.util.Arrays.stream(
                        System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Path.of(e).getFileName().toString().startsWith("aws-lambda-java-"))
                .toList());
        if (cp.isEmpty()) {
            // Started with java -jar: the manifest's Class-Path points at lib/ next to the jar.
            try {
                Path jar = Path.of(FunctionProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                try (var files = java.nio.file.Files.list(jar.getParent().resolve("lib"))) {
                    cp = String.join(File.pathSeparator, files
                            .filter(p -> p.getFileName().toString().startsWith("aws-lambda-java-"))
                            .map(Path::toString).toList());
                }
            } catch (java.net.URISyntaxException | IOException e) {
                throw new IllegalStateException("cannot find the Lambda runtime interface client", e);
            }
        }
        return cp;
    }

    /**
     * Each function's Lambda memory in MB, as {@code infra-terraform/locals.tf} deploys it
     * ({@code LambdaMemoryTest} holds the two together); 512 for any other.
     */
    static final Map<String, Integer> MEMORY_MB = Map.ofEntries(Map.entry("earn", 512), Map.entry("earn-queue", 512),
            Map.entry("redeem", 512), Map.entry("balance", 512), Map.entry("reports", 1024),
            Map.entry("expire-sweep", 1024), Map.entry("reconcile", 1024), Map.entry("tier-review", 1024),
            Map.entry("migrate", 512), Map.entry("outbox-relay", 512), Map.entry("notices", 512),
            Map.entry("report-rollup", 512));

    /**
     * The batch jobs that work for minutes, deployed with
     * {@code JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=4} ({@code full_jit} in
     * infra-terraform/locals.tf): C2 compiles their loops, where Lambda's java21 default stops at
     * C1 (right for short requests, slow for a minute of decoding and deciding). The rest run C1
     * only, as deployed; so does the tier-review, whose daily runs are nearly all its JVM's first
     * (see locals.tf).
     */
    static final java.util.Set<String> FULL_JIT = java.util.Set.of("expire-sweep", "reconcile", "report-rollup");

    static int memoryMb(String function) {
        return MEMORY_MB.getOrDefault(function, 512);
    }

    public FunctionProcess(Path functionJar, String function, RuntimeApi api, Map<String, String> env, Path logFile)
            throws IOException {
        this(functionJar, function, api, env, logFile, List.of());
    }

    /**
     * {@code extraJvmOptions} go after the defaults (so they may override them) and before the
     * classpath: e.g. {@code -XX:SharedArchiveFile=app.jsa} or {@code -XX:AOTCache=app.aot}.
     */
    public FunctionProcess(Path functionJar, String function, RuntimeApi api, Map<String, String> env, Path logFile,
                           List<String> extraJvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small heaps and C1 only (but the batch jobs, FULL_JIT): short local processes, sized like their Lambda. The
        // JVM sees the Lambda's memory (MaxRAM), not the machine's, so its ergonomics are the
        // sandbox's: the initial heap is 1/64 of the function's memory and grows as needed, not
        // 1/64 of this machine's RAM (which committed and touched the whole -Xmx from the start).
        command.add("-XX:MaxRAM=" + memoryMb(function) + "m");
        command.add("-Xmx256m");
        if (!FULL_JIT.contains(function)) {
            command.add("-XX:TieredStopAtLevel=1");
        }
        command.add("-XX:+UseSerialGC");
        // Needed on JDK 24+ only (the machine's JDK may be newer than Lambda's java21).
        command.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        // Every runtime client extracts its JNI library to the same /tmp path; JVMs starting
        // together corrupt each other's copy. Extract it once and point each JVM at it.
        command.add("-D" + JNI_PROPERTY + "=" + nativeClient(logFile.getParent().getParent()));
        command.addAll(extraJvmOptions);
        command.add("-cp");
        command.add(functionJar + File.pathSeparator + runtimeClientClasspath());
        command.add(RUNTIME_CLIENT_MAIN);
        command.add(HANDLER);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_FUNQY_EXPORT", function);
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.port());
        pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", "loyalty-" + function);
        pb.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb(function)));
        pb.environment().put("_HANDLER", HANDLER);
        // The runtime client loads customer code from the task root; the function jar is
        // already on the classpath, so an empty root keeps classes from loading twice.
        Path taskRoot = logFile.getParent().resolve("task-root");
        java.nio.file.Files.createDirectories(taskRoot);
        pb.environment().put("LAMBDA_TASK_ROOT", taskRoot.toString());
        pb.environment().put("AWS_REGION", pb.environment().getOrDefault("AWS_REGION", "us-east-1"));
        pb.redirectErrorStream(true);
        File log = logFile.toFile();
        log.getParentFile().mkdirs();
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        this.process = pb.start();
    }

    /** Runs {@code action} once the JVM has exited, however it ended. */
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    /** The exit code once exited (128 + signal for a signal), else -1. */
    public int exitValue() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGKILL, as Lambda ends an environment. */
    public void kill() {
        process.destroyForcibly();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The JVM's process id (e.g. to read its peak RSS from {@code /proc/<pid>/status}). */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        close(java.time.Duration.ofSeconds(5));
    }

    /**
     * SIGTERM, then SIGKILL after {@code grace}. A JVM writing a CDS or AOT archive at exit
     * ({@code -XX:ArchiveClassesAtExit}, {@code -XX:AOTCacheOutput}) needs a longer grace.
     */
    public void close(java.time.Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
