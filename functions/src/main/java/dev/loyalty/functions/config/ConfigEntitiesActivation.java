package dev.loyalty.functions.config;

import io.smallrye.config.common.MapBackedConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * Boots Hibernate Reactive (the configuration entities) only in the functions that may use them.
 * Every Lambda runs the same build and {@code QUARKUS_FUNQY_EXPORT} picks its function; the
 * functions in {@link #WITHOUT_ENTITIES} are the ledger's hot paths and jobs, set-based SQL only,
 * so for them this source sets {@code quarkus.hibernate-orm.active=false}: no session factory is
 * built at start-up, the larger part of what the entity layer adds to a cold start (its static
 * initialisation still runs; the bench's start-up scenario, README "Benchmarks"). Every other function (earn: rule and tier sets;
 * redeem: rewards; reports and any function added later) keeps them active, so a new use of
 * an entity never meets a deactivated layer by surprise.
 *
 * <p>Where the export is not set (tests, which pick the function by a profile) it supplies
 * nothing. An explicit {@code QUARKUS_HIBERNATE_ORM_ACTIVE} (ordinal 300) overrides it.
 */
public class ConfigEntitiesActivation extends MapBackedConfigSource {
    static final String ACTIVE = "quarkus.hibernate-orm.active";
    static final String EXPORT_ENV = "QUARKUS_FUNQY_EXPORT";
    static final String EXPORT_PROPERTY = "quarkus.funqy.export";

    /** Functions that never touch a configuration entity (each a real {@code @Funq} name: a test checks). */
    public static final Set<String> WITHOUT_ENTITIES = Set.of("balance", "earn-queue", "expire-sweep", "reconcile",
            "outbox-relay", "notices", "migrate", "tier-review");

    /** Above application.properties (250), below explicit environment variables (300). */
    static final int ORDINAL = 260;

    public ConfigEntitiesActivation() {
        this(System.getenv(), System.getProperty(EXPORT_PROPERTY));
    }

    ConfigEntitiesActivation(Map<String, String> env, String exportProperty) {
        super("config-entities-activation", values(env, exportProperty), ORDINAL);
    }

    private static Map<String, String> values(Map<String, String> env, String exportProperty) {
        String export = exportProperty != null ? exportProperty : env.get(EXPORT_ENV);
        return export != null && WITHOUT_ENTITIES.contains(export.trim()) ? Map.of(ACTIVE, "false") : Map.of();
    }
}
