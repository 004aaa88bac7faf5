package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(FunctionProfile.Migrate.class)
class MigrateFunctionTest {

    @Test
    void migrateIsIdempotentThroughTheHandler() {
        JsonNode first = Lambda.invoke(Lambda.JSON.createObjectNode().put("source", "deploy"));
        assertTrue(first.get("latestVersion").asInt() >= 1, first.toString());
        JsonNode second = Lambda.invoke(Lambda.JSON.createObjectNode().put("source", "deploy"));
        assertEquals(0, second.get("applied").size(), "nothing left to apply the second time");
        assertEquals(first.get("latestVersion"), second.get("latestVersion"));
        assertEquals(PostgresResource.APP_USER, second.get("appLogin").asText(),
                "migrate (re)sets the functions' login user on every run, so a rotated secret takes effect");
    }
}
