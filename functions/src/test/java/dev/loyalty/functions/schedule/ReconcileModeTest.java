package dev.loyalty.functions.schedule;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What reconcile reads from its trigger: the mode, from an object or a JSON-string detail; anything else refused. */
class ReconcileModeTest {

    static Map<String, Object> scheduled(Object detail) {
        Map<String, Object> event = new HashMap<>();
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.scheduler");
        event.put("detail", detail);
        return event;
    }

    @Test
    void fullByDefaultIncrementalWhenAsked() {
        assertEquals("full", ScheduledFunctions.mode(scheduled(Map.of())));
        assertEquals("full", ScheduledFunctions.mode(scheduled(null)));
        assertEquals("full", ScheduledFunctions.mode(scheduled(Map.of("mode", "full"))));
        assertEquals("incremental", ScheduledFunctions.mode(scheduled(Map.of("mode", "incremental"))));
    }

    @Test
    void aDetailSentAsAJsonStringIsRead() {
        // EventBridge Scheduler passes a text input as the detail string.
        assertEquals("incremental", ScheduledFunctions.mode(scheduled("{\"mode\":\"incremental\"}")));
        assertEquals("full", ScheduledFunctions.mode(scheduled("")));
    }

    @Test
    void whatItDoesNotUnderstandIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ScheduledFunctions.mode(scheduled(Map.of("mode", "bogus"))));
        assertThrows(IllegalArgumentException.class, () -> ScheduledFunctions.mode(scheduled("{\"mode\":\"bogus\"}")));
        assertThrows(IllegalArgumentException.class, () -> ScheduledFunctions.mode(scheduled("not json")));
        assertThrows(IllegalArgumentException.class, () -> ScheduledFunctions.mode(scheduled(List.of("x"))));
        assertThrows(IllegalArgumentException.class, () -> ScheduledFunctions.mode(Map.of("Records", List.of())));
        assertThrows(IllegalArgumentException.class, () -> ScheduledFunctions.mode(null));
    }
}
