package dev.loyalty.core.rules;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentTest {

    /** A published document comes back from jsonb with its keys reordered: the split must not care. */
    @Test
    void theSplitDoesNotDependOnTheOrderTheVariantsAreListedIn() {
        Map<String, Integer> listed = new LinkedHashMap<>();
        listed.put("control", 30);
        listed.put("boost", 70);
        Map<String, Integer> reordered = new LinkedHashMap<>();
        reordered.put("boost", 70);
        reordered.put("control", 30);
        Experiment a = new Experiment("weekend-boost", listed);
        Experiment b = new Experiment("weekend-boost", reordered);
        int boost = 0;
        for (int i = 0; i < 2_000; i++) {
            String member = "m-" + i;
            assertEquals(a.variantOf(member), b.variantOf(member), member);
            boost += a.variantOf(member).equals("boost") ? 1 : 0;
        }
        assertTrue(boost > 1_250 && boost < 1_550, "about 70% boost: " + boost);
    }
}
