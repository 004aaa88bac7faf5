package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static dev.loyalty.functions.ProgramReportsTest.report;
import static dev.loyalty.functions.ProgramReportsTest.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a replica configured the reports read it and nothing else: an unreachable replica is 503
 * with Retry-After on every program report (never a silent fall back to the primary), while the
 * routes that read the primary keep working.
 */
@QuarkusTest
@TestProfile(FunctionProfile.ReportsReplicaDown.class)
class ReportsReplicaDownTest {
    @Test
    void anUnreachableReplicaIs503AndThePrimaryRoutesStillAnswer() {
        for (String path : List.of("/reports/activity", "/reports/funnel", "/reports/redemption-by-type",
                "/reports/experiments/exp-1", "/reports/anomalies")) {
            JsonNode r = report(path, window("2065-01-01T00:00:00Z", "2065-01-02T00:00:00Z"));
            assertEquals(503, r.get("statusCode").asInt(), path);
            assertEquals("SERVICE_UNAVAILABLE", body(r).get("code").asText());
            assertTrue(ApiEvents.headers(r).containsKey("retry-after"), path);
        }
        JsonNode liability = report("/reports/liability", Map.of());
        assertEquals(503, liability.get("statusCode").asInt(), "the liability report reads the replica too");
        JsonNode parked = report("/admin/parked", Map.of());
        assertEquals(200, parked.get("statusCode").asInt(), "the parked records are read from the primary");
    }
}
