package dev.loyalty.core.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link RuleSet} back to its document form (maps and lists), the exact inverse of {@link RuleSetParser}. */
public final class RuleSetDocument {
    private RuleSetDocument() {
    }

    public static Map<String, Object> of(RuleSet set) {
        Map<String, Object> doc = new LinkedHashMap<>();
        List<Object> rules = new ArrayList<>();
        for (Rule r : set.rules()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("event", r.event());
            m.put("pointType", r.pointType());
            m.put("points", r.points());
            if (r.perAmount() != null) {
                m.put("perAmount", r.perAmount());
            }
            if (r.when() != null) {
                Map<String, Object> w = new LinkedHashMap<>();
                Condition c = r.when();
                if (c.attributes() != null) {
                    w.put("attributes", new java.util.TreeMap<>(c.attributes()));
                }
                if (c.tiers() != null) {
                    w.put("tiers", c.tiers());
                }
                if (c.from() != null) {
                    w.put("from", c.from().toString());
                }
                if (c.to() != null) {
                    w.put("to", c.to().toString());
                }
                if (c.variant() != null) {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("experiment", c.variant().experiment());
                    v.put("is", c.variant().is());
                    w.put("variant", v);
                }
                m.put("when", w);
            }
            if (!r.caps().isEmpty()) {
                List<Object> caps = new ArrayList<>();
                for (Cap cap : r.caps()) {
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("period", cap.period().name());
                    if (cap.maxPoints() != null) {
                        cm.put("maxPoints", cap.maxPoints());
                    }
                    if (cap.maxEvents() != null) {
                        cm.put("maxEvents", cap.maxEvents());
                    }
                    caps.add(cm);
                }
                m.put("caps", caps);
            }
            if (r.pendingDays() != null) {
                m.put("pendingDays", r.pendingDays());
            }
            rules.add(m);
        }
        doc.put("rules", rules);
        List<Object> experiments = new ArrayList<>();
        for (Experiment x : set.experiments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", x.id());
            m.put("variants", new LinkedHashMap<>(x.variants()));
            experiments.add(m);
        }
        doc.put("experiments", experiments);
        return doc;
    }
}
