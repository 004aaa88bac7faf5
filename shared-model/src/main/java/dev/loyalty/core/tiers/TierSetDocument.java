package dev.loyalty.core.tiers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A {@link TierSet} back to its document form (maps and lists), the inverse of {@link TierSetParser}. */
public final class TierSetDocument {
    private TierSetDocument() {
    }

    public static Map<String, Object> of(TierSet set) {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("window", set.window().name());
        q.put("pointTypes", List.copyOf(new TreeSet<>(set.pointTypes())));
        doc.put("qualifying", q);
        List<Object> tiers = new ArrayList<>();
        for (TierLevel t : set.tiers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("threshold", t.threshold());
            m.put("earnMultiplierBp", t.earnMultiplierBp());
            tiers.add(m);
        }
        doc.put("tiers", tiers);
        doc.put("downgrade", Map.of("graceDays", set.graceDays()));
        return doc;
    }
}
