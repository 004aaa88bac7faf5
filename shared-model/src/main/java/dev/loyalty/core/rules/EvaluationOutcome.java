package dev.loyalty.core.rules;

import dev.loyalty.core.Refusal;

/** The outcome of evaluating an event against a rule set. */
public sealed interface EvaluationOutcome {
    record Evaluated(Evaluation evaluation) implements EvaluationOutcome {
    }

    record Refused(Refusal refusal) implements EvaluationOutcome {
    }
}
