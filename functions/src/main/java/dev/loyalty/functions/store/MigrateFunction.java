package dev.loyalty.functions.store;

import io.quarkus.funqy.Funq;

import java.util.Map;

/**
 * Lambda {@code migrate}: applies pending schema migrations. Deployment invokes it once per
 * release (see infra-terraform/README.md); no other function migrates on a cold start.
 */
public class MigrateFunction {
    private final Migrator migrator;

    public MigrateFunction(Migrator migrator) {
        this.migrator = migrator;
    }

    @Funq("migrate")
    public Migrator.Result migrate(Map<String, Object> event) {
        return migrator.migrate();
    }
}
