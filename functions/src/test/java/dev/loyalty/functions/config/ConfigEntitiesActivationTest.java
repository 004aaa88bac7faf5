package dev.loyalty.functions.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hibernate Reactive is deactivated exactly in the functions that never use an entity. */
class ConfigEntitiesActivationTest {

    static Map<String, String> values(Map<String, String> env, String property) {
        ConfigEntitiesActivation source = new ConfigEntitiesActivation(env, property);
        Map<String, String> out = new java.util.HashMap<>();
        source.getPropertyNames().forEach(n -> out.put(n, source.getValue(n)));
        return out;
    }

    @Test
    void deactivatedOnlyForTheSqlOnlyFunctions() {
        for (String f : ConfigEntitiesActivation.WITHOUT_ENTITIES) {
            assertEquals(Map.of("quarkus.hibernate-orm.active", "false"), values(Map.of("QUARKUS_FUNQY_EXPORT", f), null), f);
        }
        for (String f : new String[]{"earn", "redeem", "reports", "some-new-function"}) {
            assertEquals(Map.of(), values(Map.of("QUARKUS_FUNQY_EXPORT", f), null), f + " keeps its entities");
        }
        assertEquals(Map.of(), values(Map.of(), null), "no export (tests): nothing");
        assertEquals(Map.of(), values(Map.of("QUARKUS_FUNQY_EXPORT", "balance"), "earn"), "the system property first");
        assertTrue(new ConfigEntitiesActivation(Map.of(), null).getOrdinal() < 300, "an explicit environment variable wins");
        assertTrue(new ConfigEntitiesActivation(Map.of(), null).getOrdinal() > 250, "above application.properties");
    }

    @Test
    void everyNameIsARealFunction() throws IOException {
        Pattern funq = Pattern.compile("@Funq\\(\"([a-z-]+)\"\\)");
        Set<String> functions = new TreeSet<>();
        Path main = Path.of(System.getProperty("repo.root", ".."), "functions", "src", "main", "java");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = funq.matcher(Files.readString(p));
                while (m.find()) {
                    functions.add(m.group(1));
                }
            }
        }
        assertTrue(functions.containsAll(ConfigEntitiesActivation.WITHOUT_ENTITIES),
                ConfigEntitiesActivation.WITHOUT_ENTITIES + " within " + functions);
        assertTrue(functions.containsAll(Set.of("earn", "redeem")), functions.toString());
    }
}
