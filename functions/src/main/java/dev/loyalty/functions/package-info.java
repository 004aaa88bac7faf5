/**
 * The Lambda functions, one concern each, built once and picked per Lambda by
 * {@code QUARKUS_FUNQY_EXPORT}. Each {@code @Funq} method is a thin adapter: read the event,
 * authorize, call the core, persist, answer. Sub-packages are features.
 */
package dev.loyalty.functions;
