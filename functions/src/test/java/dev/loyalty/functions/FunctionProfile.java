package dev.loyalty.functions;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Runs Quarkus with one exported function, as one Lambda does on AWS, on the embedded PostgreSQL. */
public abstract class FunctionProfile implements QuarkusTestProfile {
    private final String function;

    protected FunctionProfile(String function) {
        this.function = function;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", function);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresResource.class));
    }

    public static final class Earn extends FunctionProfile {
        public Earn() {
            super("earn");
        }
    }

    public static final class Balance extends FunctionProfile {
        public Balance() {
            super("balance");
        }
    }

    public static final class Migrate extends FunctionProfile {
        public Migrate() {
            super("migrate");
        }
    }
}
