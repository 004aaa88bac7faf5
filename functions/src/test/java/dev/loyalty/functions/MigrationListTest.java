package dev.loyalty.functions;

import dev.loyalty.functions.store.Migrator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The migrate Lambda applies {@link Migrator#MIGRATIONS}, a list (no classpath scanning at run
 * time): every migration file must be on it, in version order, or it is never applied.
 */
class MigrationListTest {
    @Test
    void everyMigrationFileIsListedInVersionOrder() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("src/main/resources/db/migration"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql"))
                    .sorted(Comparator.comparingInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))).toList();
        }
        assertEquals(files, Migrator.MIGRATIONS);
    }
}
