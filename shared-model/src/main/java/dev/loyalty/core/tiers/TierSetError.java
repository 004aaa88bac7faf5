package dev.loyalty.core.tiers;

/** One error of a tier set document: the path of the field ({@code tiers[1].threshold}) and what is wrong. */
public record TierSetError(String path, String message) {
}
