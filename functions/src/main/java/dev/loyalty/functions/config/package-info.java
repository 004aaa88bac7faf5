/**
 * Configuration: one {@code @ConfigMapping} per concern, read at start-up, never
 * {@code System.getenv} deep inside. The point type catalog (codes and expiry policies) and
 * the program's time zone are configuration, and an ambiguous type fails start-up.
 */
package dev.loyalty.functions.config;
