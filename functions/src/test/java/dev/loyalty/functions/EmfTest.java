package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.observability.Emf;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The EMF line, read back as CloudWatch would parse it. */
class EmfTest {
    @Test
    void anEmfLineDeclaresItsMetricsAndCarriesTheirValues() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Emf.emit(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of("Function", "reconcile"),
                Map.of("ReconcileDiscrepancies", 3L, "LatencyMs", 12L));
        String line = bytes.toString(StandardCharsets.UTF_8).trim();
        assertEquals(1, line.lines().count(), "one line per record");
        JsonNode emf = Lambda.JSON.readTree(line);
        JsonNode directive = emf.at("/_aws/CloudWatchMetrics/0");
        assertEquals(Emf.NAMESPACE, directive.get("Namespace").asText());
        assertEquals("Function", directive.at("/Dimensions/0/0").asText());
        assertEquals("LatencyMs", directive.at("/Metrics/0/Name").asText());
        assertEquals("Milliseconds", directive.at("/Metrics/0/Unit").asText());
        assertEquals("ReconcileDiscrepancies", directive.at("/Metrics/1/Name").asText());
        assertEquals("Count", directive.at("/Metrics/1/Unit").asText());
        assertEquals(3, emf.get("ReconcileDiscrepancies").asLong());
        assertEquals("reconcile", emf.get("Function").asText());
        assertEquals(true, emf.at("/_aws/Timestamp").isNumber());
    }
}
