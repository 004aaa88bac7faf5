package dev.loyalty.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The local JVMs see the memory their Lambda gets ({@code -XX:MaxRAM}), so the runner's table
 * must be the one Terraform deploys: every function in {@code infra-terraform/locals.tf} with
 * its {@code memory}, and nothing else.
 */
class LambdaMemoryTest {
    static final Pattern FUNCTION = Pattern.compile("^\\s*([a-z-]+)\\s*=\\s*\\{\\s*export\\s*=\\s*\"([a-z-]+)\",\\s*memory\\s*=\\s*(\\d+)",
            Pattern.MULTILINE);

    @Test
    void theRunnersMemoryTableIsTerraforms() throws Exception {
        String locals = Files.readString(Path.of("..", "infra-terraform", "locals.tf"));
        Map<String, Integer> deployed = new TreeMap<>();
        Matcher m = FUNCTION.matcher(locals);
        while (m.find()) {
            deployed.put(m.group(2), Integer.parseInt(m.group(3)));
        }
        assertEquals(12, deployed.size(), "the functions of locals.tf: " + deployed);
        assertEquals(deployed, new TreeMap<>(FunctionProcess.MEMORY_MB));
    }

    static final Pattern FULL_JIT = Pattern.compile("^\\s*full_jit\\s*=\\s*\\[([^\\]]*)\\]", Pattern.MULTILINE);

    /** The jobs Terraform deploys with C2 ({@code full_jit}) are the ones the runner starts without -XX:TieredStopAtLevel=1. */
    @Test
    void theRunnersFullJitListIsTerraforms() throws Exception {
        String locals = Files.readString(Path.of("..", "infra-terraform", "locals.tf"));
        Matcher m = FULL_JIT.matcher(locals);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), "full_jit in locals.tf");
        java.util.Set<String> deployed = new java.util.TreeSet<>();
        for (String name : m.group(1).split(",")) {
            if (!name.isBlank()) {
                deployed.add(name.trim().replace("\"", ""));
            }
        }
        assertEquals(3, deployed.size(), "full_jit: " + deployed);
        assertEquals(deployed, new java.util.TreeSet<>(FunctionProcess.FULL_JIT));
        org.junit.jupiter.api.Assertions.assertTrue(FunctionProcess.MEMORY_MB.keySet().containsAll(deployed), deployed.toString());
        String lambda = Files.readString(Path.of("..", "infra-terraform", "lambda.tf"));
        org.junit.jupiter.api.Assertions.assertTrue(lambda.contains(
                "JAVA_TOOL_OPTIONS           = contains(local.full_jit, each.key) ? \"-XX:TieredStopAtLevel=4\""
                        + " : \"-XX:+TieredCompilation -XX:TieredStopAtLevel=1\""), "lambda.tf sets it");
    }
}
