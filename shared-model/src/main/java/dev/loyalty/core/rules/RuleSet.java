package dev.loyalty.core.rules;

import java.util.List;
import java.util.Optional;

/** The program's rules and experiments, as one immutable document. */
public record RuleSet(List<Rule> rules, List<Experiment> experiments) {
    public RuleSet {
        rules = List.copyOf(rules);
        experiments = List.copyOf(experiments);
    }

    /** The default version the migrations seed: no rules, no experiments. */
    public static RuleSet empty() {
        return new RuleSet(List.of(), List.of());
    }

    public Optional<Experiment> experiment(String id) {
        return experiments.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** True if some rule handles events of this name. */
    public boolean handles(String event) {
        return rules.stream().anyMatch(r -> r.event().equals(event));
    }
}
