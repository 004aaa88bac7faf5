package dev.loyalty.functions.program;

import dev.loyalty.core.Refusal;

import java.util.Map;

/** A business event's result: recorded now, recorded before (the same event again: its first answer), or refused. */
public sealed interface EventResult {
    record Recorded(Map<String, Object> answer) implements EventResult {
    }

    record AlreadyRecorded(Map<String, Object> answer) implements EventResult {
    }

    record Refused(Refusal refusal) implements EventResult {
    }
}
