package dev.loyalty.core.rules;

/** One error of a rule set document: the path of the field ({@code rules[2].caps[0].period}) and what is wrong. */
public record RuleSetError(String path, String message) {
}
