package dev.loyalty.functions;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.loyalty.core.events.EventType;
import dev.loyalty.devkit.EventBridgeStandIn;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The EventBridge PutEvents stand-in for the function tests (devkit's, the same the local
 * runner serves), one per test JVM; every function under test publishes to it through the real
 * SDK client. Every entry it receives, from every test, is validated against its type's JSON
 * Schema in {@code events/schemas/events/}; {@link EventSchemaTest} fails on any violation.
 */
public class EventBusResource implements QuarkusTestResourceLifecycleManager {
    private static EventBridgeStandIn standIn;
    private static Map<String, Schema> schemas;

    public static synchronized EventBridgeStandIn standIn() {
        if (standIn == null) {
            try {
                standIn = EventBridgeStandIn.start("127.0.0.1", 0, r -> validate(r.detailType(), r.detail().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return standIn;
    }

    /** What is wrong with {@code detailJson} as an event of {@code type} (empty: valid). */
    public static List<String> validate(String type, String detailJson) {
        Schema schema = schemas().get(type);
        if (schema == null) {
            return List.of("no schema for DetailType " + type);
        }
        return schema.validate(detailJson, InputFormat.JSON).stream().map(e -> e.toString()).toList();
    }

    static synchronized Map<String, Schema> schemas() {
        if (schemas == null) {
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
            Map<String, Schema> all = new HashMap<>();
            for (EventType t : EventType.values()) {
                String path = "events/schemas/events/" + t.wireName() + ".schema.json";
                try (InputStream in = EventBusResource.class.getClassLoader().getResourceAsStream(path)) {
                    if (in == null) {
                        throw new IllegalStateException("missing schema " + path);
                    }
                    all.put(t.wireName(), registry.getSchema(in, InputFormat.JSON));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            schemas = all;
        }
        return schemas;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("loyalty.events.endpoint", standIn().endpoint(), "loyalty.events.bus-name", "loyalty-test");
    }

    @Override
    public void stop() {
        // kept for the next profile (its record spans the whole suite)
    }
}
