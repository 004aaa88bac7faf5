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
}
